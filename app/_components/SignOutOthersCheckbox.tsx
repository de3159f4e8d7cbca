/** "Sign out of all other devices" next to a new password (reset, or a change on the account page). */
export function SignOutOthersCheckbox({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="mt-1 flex items-center gap-2 text-sm text-foreground">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        className="size-4 rounded border-input accent-brand"
      />
      Sign out of all other devices
    </label>
  );
}
