"use client";

import { useId, useState } from "react";
import type { AdminSettings, InvitationSummary } from "./settings-api";
import { FieldError, inputClassName } from "../../TextField";
import { pick, SettingsCard, useAdminSettings, useSectionSave } from "./settings-context";
import { SwitchRow } from "./fields";
import { InvitationsPanel } from "./InvitationsPanel";

const SIGN_UP_KEYS = ["signUpMode", "allowlist", "blocklist", "emailVerificationAtSignUp"] as const;
const MAX_ENTRIES = 1000;

type Mode = AdminSettings["signUpMode"];

const MODE_OPTIONS: { value: Mode; label: string; description: string }[] = [
  { value: "public", label: "Public", description: "Anyone may create an account (except blocklisted addresses)." },
  { value: "restricted", label: "Restricted", description: "Only addresses and domains on the allowlist." },
  { value: "invitation", label: "By invitation", description: "Only invited addresses, and the allowlist." },
];

/** One entry per line (commas and spaces also separate); blank lines are dropped. The server normalizes. */
const toList = (text: string) => text.split(/[\s,;]+/).filter(Boolean);
const toText = (list: readonly string[]) => list.join("\n");

/** Sign-up (S8): who may create an account, the allowlist and blocklist, and invitations. */
export function SignUpSection({ invitations }: { invitations: InvitationSummary[] }) {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, SIGN_UP_KEYS);
  const [mode, setMode] = useState<Mode>(saved.signUpMode);
  const [allowlist, setAllowlist] = useState(toText(saved.allowlist));
  const [blocklist, setBlocklist] = useState(toText(saved.blocklist));
  const [verify, setVerify] = useState(saved.emailVerificationAtSignUp);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Sign-up", keys: SIGN_UP_KEYS });

  const patch = { signUpMode: mode, allowlist: toList(allowlist), blocklist: toList(blocklist), emailVerificationAtSignUp: verify };
  const dirty = JSON.stringify(patch) !== JSON.stringify(saved);

  async function onSubmit() {
    const errors: Record<string, string> = {};
    for (const key of ["allowlist", "blocklist"] as const) {
      if (patch[key].length > MAX_ENTRIES) errors[key] = `Use at most ${MAX_ENTRIES} entries (this list has ${patch[key].length}).`;
    }
    const next = await submit(patch, errors);
    if (next) {
      // The server's normalized lists (lower-case, no leading "@", no duplicates).
      setAllowlist(toText(next.allowlist));
      setBlocklist(toText(next.blocklist));
    }
  }

  return (
    <SettingsCard
      id="sign-up"
      title="Sign-up"
      description="Who may create an account. The blocklist also keeps listed addresses from signing in."
      dirty={dirty}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
      after={<InvitationsPanel initial={invitations} mode={saved.signUpMode} />}
    >
      <fieldset>
        <legend className="text-sm font-medium text-foreground">Who may sign up</legend>
        <div className="mt-1.5 grid gap-2 sm:grid-cols-3">
          {MODE_OPTIONS.map((option) => (
            <label
              key={option.value}
              className="flex cursor-pointer items-start gap-2.5 rounded-md border border-border p-3 text-sm has-checked:border-brand has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand"
            >
              <input
                type="radio"
                name={`${id}-mode`}
                value={option.value}
                checked={mode === option.value}
                onChange={() => {
                  setMode(option.value);
                  clearError("signUpMode");
                }}
                aria-describedby={`${id}-mode-${option.value}`}
                className="mt-0.5 size-4 accent-brand focus-visible:outline-none"
              />
              <span>
                <span className="block font-medium text-foreground">{option.label}</span>
                <span id={`${id}-mode-${option.value}`} className="block text-muted-foreground">
                  {option.description}
                </span>
              </span>
            </label>
          ))}
        </div>
        <FieldError id={`${id}-mode-error`} error={fieldErrors.signUpMode} className={fieldErrors.signUpMode ? "mt-1.5" : ""} />
      </fieldset>

      <ListField
        id={`${id}-allowlist`}
        label="Allowlist"
        value={allowlist}
        onChange={(value) => {
          setAllowlist(value);
          clearError("allowlist");
        }}
        error={fieldErrors.allowlist}
        hint={
          mode === "public"
            ? "Used when sign-ups are restricted or by invitation; with public sign-up everyone may join anyway."
            : "These addresses and domains may sign up."
        }
      />
      <ListField
        id={`${id}-blocklist`}
        label="Blocklist"
        value={blocklist}
        onChange={(value) => {
          setBlocklist(value);
          clearError("blocklist");
        }}
        error={fieldErrors.blocklist}
        hint="These addresses and domains can neither sign up nor sign in, whatever the mode. Existing sessions are not ended."
      />
      <SwitchRow
        id={`${id}-verify`}
        label="Verify email addresses at sign-up"
        description="The account is created once the emailed code or link comes back. Off, accounts start with an unverified address."
        checked={verify}
        onCheckedChange={setVerify}
      />
    </SettingsCard>
  );
}

function ListField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint: string;
}) {
  const count = toList(value).length;
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-foreground">
          {label}
        </label>
        <span className="text-xs text-muted-foreground tabular-nums">
          {count} {count === 1 ? "entry" : "entries"}
        </span>
      </div>
      <textarea
        id={id}
        value={value}
        rows={5}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        placeholder={"example.com\nada@example.org"}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        className={`${inputClassName} mt-1.5 min-h-28 py-2 font-mono`}
      />
      <p id={`${id}-hint`} className="mt-1.5 text-sm text-muted-foreground">
        One email address or domain per line (example.com covers every address at example.com, not its subdomains). {hint}
      </p>
      <FieldError id={`${id}-error`} error={error} className={error ? "mt-1.5" : ""} />
    </div>
  );
}
