/**
 * The honeypot (S10): an input people never see, reach by keyboard or get
 * autofilled (an unremarkable name, autocomplete off), which form-filling
 * scripts tend to fill. The server refuses a filled one quietly.
 */
export function HoneypotField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <div aria-hidden="true" className="pointer-events-none absolute -left-[9999px] h-px w-px overflow-hidden opacity-0">
      <label htmlFor="ref-code">Leave this field empty</label>
      <input id="ref-code" name="ref-code" type="text" tabIndex={-1} autoComplete="off" value={value} onChange={(event) => onChange(event.target.value)} />
    </div>
  );
}

/** The honeypot's value in a request body: only when filled, so normal requests stay as they were. */
export function honeypotBody(value: string): { honeypot?: string } {
  return value ? { honeypot: value } : {};
}

/** The message under the button while the form waits on the background check. */
export function BotCheckStatus({ waiting, error }: { waiting: boolean; error: string | null }) {
  return (
    <p role="status" aria-live="polite" className="min-h-0 text-center text-xs text-muted-foreground empty:hidden">
      {error ?? (waiting ? "Checking your browser…" : "")}
    </p>
  );
}
