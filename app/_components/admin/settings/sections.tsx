"use client";

import { useId, useState } from "react";
import { Notice } from "../../Alert";
import { FieldError, inputClassName, TextField } from "../../TextField";
import { pick, same, SettingsCard, useAdminSettings, useSectionSave } from "./settings-context";
import { GroupError, NumberField, parseWholeNumber, SwitchRow } from "./fields";

/** Mirrors lib/settings/sign-in-methods.ts: checked here first, the server checks again. */
const NO_SIGN_IN_METHOD = "Keep at least one way to sign in turned on (password, email code, email link or OAuth), or nobody could sign in, admins included.";

const SIGN_IN_KEYS = ["passwordSignIn", "emailCodeSignIn", "emailLinkSignIn", "oauthSignIn", "passkeySignIn", "smsSecondFactor", "totpSecondFactor", "securityKeySecondFactor"] as const;

/** Sign-in methods (S8): the first factors, each hidden on the sign-in page and refused by the server when off. */
export function SignInMethodsSection({ oauthProviderCount }: { oauthProviderCount: number }) {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, SIGN_IN_KEYS);
  const [draft, setDraft] = useState(saved);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Sign-in methods", keys: SIGN_IN_KEYS, extraFields: ["signInMethods"] });

  const set = (key: (typeof SIGN_IN_KEYS)[number]) => (checked: boolean) => {
    setDraft((current) => ({ ...current, [key]: checked }));
    clearError("signInMethods");
  };

  async function onSubmit() {
    const noneOn = !draft.passwordSignIn && !draft.emailCodeSignIn && !draft.emailLinkSignIn && !draft.oauthSignIn;
    const next = await submit(draft, noneOn ? { signInMethods: NO_SIGN_IN_METHOD } : {});
    if (next) setDraft(pick(next, SIGN_IN_KEYS));
  }

  return (
    <SettingsCard
      id="sign-in-methods"
      title="Sign-in methods"
      description="How people prove who they are. A method turned off disappears from the sign-in page and is refused by the server."
      dirty={!same(draft, saved)}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <fieldset className="grid gap-4" aria-describedby={fieldErrors.signInMethods ? `${id}-methods-error` : undefined}>
        <legend className="sr-only">First factors</legend>
        <SwitchRow
          id={`${id}-password`}
          label="Password"
          description="Email address and password. Off also hides “Forgot password?”."
          checked={draft.passwordSignIn}
          onCheckedChange={set("passwordSignIn")}
        />
        <SwitchRow
          id={`${id}-email-code`}
          label="Email code"
          description="A 6-digit code in the sign-in email, typed on the sign-in page."
          checked={draft.emailCodeSignIn}
          onCheckedChange={set("emailCodeSignIn")}
        />
        <SwitchRow
          id={`${id}-email-link`}
          label="Email link"
          description="A link in the same email (a “magic link”). With both on, one email carries the code and the link."
          checked={draft.emailLinkSignIn}
          onCheckedChange={set("emailLinkSignIn")}
        />
        <SwitchRow
          id={`${id}-oauth`}
          label="OAuth providers"
          description={
            oauthProviderCount === 0
              ? "“Continue with …” buttons. No provider is configured yet, so none would show."
              : `“Continue with …” buttons for the ${oauthProviderCount} configured provider${oauthProviderCount === 1 ? "" : "s"}.`
          }
          checked={draft.oauthSignIn}
          onCheckedChange={set("oauthSignIn")}
        />
        <SwitchRow
          id={`${id}-passkey`}
          label="Passkeys"
          description="“Sign in with a passkey” and passkeys in the email field’s autofill; users add them on their security page. A passkey counts as two-step verification."
          checked={draft.passkeySignIn}
          onCheckedChange={set("passkeySignIn")}
        />
        <GroupError id={`${id}-methods-error`} error={fieldErrors.signInMethods} />
      </fieldset>
      <div className="grid gap-4 border-t border-border pt-4">
        <SwitchRow
          id={`${id}-totp`}
          label="Authenticator apps as a second factor"
          description="Users may set up an app such as 1Password or Google Authenticator (TOTP) for two-step verification."
          checked={draft.totpSecondFactor}
          onCheckedChange={set("totpSecondFactor")}
        />
        {!draft.totpSecondFactor ? (
          <Notice tone="warning">
            Nobody can set up a new authenticator app. Apps already set up keep working at sign-in (so nobody is locked out) and can still be
            removed.{" "}
            {draft.smsSecondFactor
              ? "Text-message codes remain for two-step verification."
              : draft.securityKeySecondFactor
                ? "Security keys remain for two-step verification."
                : "With text-message codes and security keys off too, new users have no two-step verification except passkeys."}
          </Notice>
        ) : null}
        <SwitchRow
          id={`${id}-sms`}
          label="Text-message codes as a second factor"
          description="Users may add a phone number for two-step verification. Needs an SMS provider."
          checked={draft.smsSecondFactor}
          onCheckedChange={set("smsSecondFactor")}
        />
        <SwitchRow
          id={`${id}-security-key`}
          label="Security keys as a second factor"
          description="Users may add a security key (a YubiKey, or their device's screen lock) for two-step verification. It never signs in on its own."
          checked={draft.securityKeySecondFactor}
          onCheckedChange={set("securityKeySecondFactor")}
        />
        {!draft.securityKeySecondFactor ? (
          <Notice tone="warning">Nobody can add a new security key. Keys already added keep working at sign-in and can still be removed.</Notice>
        ) : null}
      </div>
    </SettingsCard>
  );
}

const PASSWORD_KEYS = ["passwordMinLength", "passwordMinScore"] as const;

const STRENGTH_OPTIONS = [
  { value: 0, label: "No strength check (length and breach check only)" },
  { value: 1, label: "Very weak passwords allowed (score 1)" },
  { value: 2, label: "Reasonably hard to guess (score 2, recommended)" },
  { value: 3, label: "Hard to guess (score 3)" },
  { value: 4, label: "Very hard to guess (score 4)" },
];

/** Password policy (S3): minimum length and zxcvbn strength; applies to new passwords (sign-up, reset, change). */
export function PasswordsSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, PASSWORD_KEYS);
  const [length, setLength] = useState(String(saved.passwordMinLength));
  const [score, setScore] = useState(saved.passwordMinScore);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Passwords", keys: PASSWORD_KEYS });

  async function onSubmit() {
    const parsed = parseWholeNumber(length, 8, 72, "characters");
    const next = await submit(
      { passwordMinLength: "value" in parsed ? parsed.value : 0, passwordMinScore: score },
      "error" in parsed ? { passwordMinLength: parsed.error } : {},
    );
    if (next) setLength(String(next.passwordMinLength));
  }

  return (
    <SettingsCard
      id="passwords"
      title="Passwords"
      description="Rules for new passwords, at sign-up, reset and change. Passwords found in breaches are always refused."
      dirty={length.trim() !== String(saved.passwordMinLength) || score !== saved.passwordMinScore}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <NumberField
        id={`${id}-length`}
        label="Minimum length (characters)"
        value={length}
        onChange={(value) => {
          setLength(value);
          clearError("passwordMinLength");
        }}
        error={fieldErrors.passwordMinLength}
        hint="8 to 72. NIST asks for at least 8; more than 72 would not fit bcrypt’s 72-byte limit."
      />
      <div>
        <label htmlFor={`${id}-score`} className="text-sm font-medium text-foreground">
          Minimum strength
        </label>
        <select
          id={`${id}-score`}
          value={score}
          onChange={(event) => {
            setScore(Number(event.target.value));
            clearError("passwordMinScore");
          }}
          aria-describedby={`${id}-score-hint`}
          aria-invalid={fieldErrors.passwordMinScore ? true : undefined}
          className={`${inputClassName} mt-1.5 max-w-md`}
        >
          {STRENGTH_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <p id={`${id}-score-hint`} className="mt-1.5 text-sm text-muted-foreground">
          Judged by zxcvbn, with the user’s name and email counted against the password. The form shows a live meter.
        </p>
        <FieldError id={`${id}-score-error`} error={fieldErrors.passwordMinScore} className={fieldErrors.passwordMinScore ? "mt-1.5" : ""} />
      </div>
    </SettingsCard>
  );
}

const SESSION_KEYS = ["sessionMaxAgeDays", "inactivityTimeoutMinutes", "multiSession"] as const;

/** Session lifetimes and multi-session (S2). */
export function SessionsSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, SESSION_KEYS);
  const [maxAge, setMaxAge] = useState(String(saved.sessionMaxAgeDays));
  const [inactivityOn, setInactivityOn] = useState(saved.inactivityTimeoutMinutes !== null);
  const [inactivity, setInactivity] = useState(String(saved.inactivityTimeoutMinutes ?? 60));
  const [multiSession, setMultiSession] = useState(saved.multiSession);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Sessions", keys: SESSION_KEYS });

  const dirty =
    maxAge.trim() !== String(saved.sessionMaxAgeDays) ||
    inactivityOn !== (saved.inactivityTimeoutMinutes !== null) ||
    (inactivityOn && inactivity.trim() !== String(saved.inactivityTimeoutMinutes)) ||
    multiSession !== saved.multiSession;

  async function onSubmit() {
    const days = parseWholeNumber(maxAge, 1, 365, "days");
    const minutes = inactivityOn ? parseWholeNumber(inactivity, 5, 525_600, "minutes") : { value: null };
    const errors: Record<string, string> = {};
    if ("error" in days) errors.sessionMaxAgeDays = days.error;
    if ("error" in minutes) errors.inactivityTimeoutMinutes = minutes.error;
    const next = await submit(
      {
        sessionMaxAgeDays: "value" in days ? days.value : 0,
        inactivityTimeoutMinutes: "value" in minutes ? minutes.value : null,
        multiSession,
      },
      errors,
    );
    if (next) {
      setMaxAge(String(next.sessionMaxAgeDays));
      if (next.inactivityTimeoutMinutes !== null) setInactivity(String(next.inactivityTimeoutMinutes));
    }
  }

  return (
    <SettingsCard
      id="sessions"
      title="Sessions"
      description="How long people stay signed in. Changes apply to sessions as they are next refreshed."
      dirty={dirty}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <NumberField
        id={`${id}-max-age`}
        label="Session lifetime (days)"
        value={maxAge}
        onChange={(value) => {
          setMaxAge(value);
          clearError("sessionMaxAgeDays");
        }}
        error={fieldErrors.sessionMaxAgeDays}
        hint="1 to 365. After this, the user signs in again however active they were."
      />
      <div className="grid gap-3">
        <SwitchRow
          id={`${id}-inactivity-on`}
          label="Sign out after inactivity"
          description="End a session that has not been used for a while."
          checked={inactivityOn}
          onCheckedChange={(checked) => {
            setInactivityOn(checked);
            clearError("inactivityTimeoutMinutes");
          }}
        />
        {inactivityOn ? (
          <NumberField
            id={`${id}-inactivity`}
            label="Inactivity timeout (minutes)"
            value={inactivity}
            onChange={(value) => {
              setInactivity(value);
              clearError("inactivityTimeoutMinutes");
            }}
            error={fieldErrors.inactivityTimeoutMinutes}
            hint="5 to 525,600 (a year)."
          />
        ) : (
          <FieldError id={`${id}-inactivity-error`} error={fieldErrors.inactivityTimeoutMinutes} />
        )}
      </div>
      <SwitchRow
        id={`${id}-multi`}
        label="Multiple accounts per browser"
        description="Let people sign in to several accounts at once and switch between them from the account menu."
        checked={multiSession}
        onCheckedChange={setMultiSession}
      />
    </SettingsCard>
  );
}

const EMAIL_LINK_KEYS = ["emailLinkCrossDevice"] as const;

/** Where an emailed link may complete a sign-in (S4). */
export function EmailLinksSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, EMAIL_LINK_KEYS);
  const [crossDevice, setCrossDevice] = useState(saved.emailLinkCrossDevice);
  const { submit, saving, formError } = useSectionSave({ title: "Email links", keys: EMAIL_LINK_KEYS });

  async function onSubmit() {
    const next = await submit({ emailLinkCrossDevice: crossDevice });
    if (next) setCrossDevice(next.emailLinkCrossDevice);
  }

  return (
    <SettingsCard
      id="email-links"
      title="Email links"
      description="Sign-in and sign-up links complete in the browser that asked for them."
      dirty={crossDevice !== saved.emailLinkCrossDevice}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <SwitchRow
        id={`${id}-cross-device`}
        label="Allow opening links on another device"
        description="A link opened on another device may approve the sign-in for the browser that asked, after showing its browser, system, IP address and time with a “This wasn’t me” button. Off, the other device is told to open the link on the device that asked, or to type the code there: someone who types a victim’s address never gets a session from the victim’s click."
        checked={crossDevice}
        onCheckedChange={setCrossDevice}
      />
    </SettingsCard>
  );
}

const PASSKEY_KEYS = ["passkeySignUp", "passkeyRpId"] as const;

/**
 * Passkeys (S13) beyond the on/off switch in "Sign-in methods": sign-up with a
 * passkey instead of a password, and the relying party id (a parent domain of
 * this site's host, so sibling apps can use the same passkeys).
 */
export function PasskeysSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, PASSKEY_KEYS);
  const [signUp, setSignUp] = useState(saved.passkeySignUp);
  const [rpId, setRpId] = useState(saved.passkeyRpId ?? "");
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Passkeys", keys: PASSKEY_KEYS });
  const passkeysOn = settings.passkeySignIn;

  async function onSubmit() {
    // Blank = this host; the server checks the domain (and that it is one) and lower-cases it.
    const next = await submit({ passkeySignUp: signUp, passkeyRpId: rpId.trim() || null });
    if (next) {
      setSignUp(next.passkeySignUp);
      setRpId(next.passkeyRpId ?? "");
    }
  }

  return (
    <SettingsCard
      id="passkeys"
      title="Passkeys"
      description={
        passkeysOn
          ? "Passkeys are on (Sign-in methods). A passkey is a complete, phishing-resistant sign-in with the device’s fingerprint, face or screen lock."
          : "Passkeys are off (Sign-in methods): these settings apply once they are turned on."
      }
      dirty={signUp !== saved.passkeySignUp || (rpId.trim() || null) !== saved.passkeyRpId}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <div>
        <SwitchRow
          id={`${id}-sign-up`}
          label="Sign up with a passkey"
          description={
            passkeysOn
              ? "The sign-up form offers “Use a passkey instead of a password”: the email address is verified first, then the device creates the passkey. Such accounts have no password."
              : "Needs passkeys turned on under Sign-in methods."
          }
          checked={signUp}
          // Turning it on needs passkeys on; turning it off is always allowed.
          disabled={!passkeysOn && !signUp}
          onCheckedChange={(checked) => {
            setSignUp(checked);
            clearError("passkeySignUp");
          }}
        />
        <FieldError id={`${id}-sign-up-error`} error={fieldErrors.passkeySignUp} className={fieldErrors.passkeySignUp ? "mt-1.5" : ""} />
      </div>
      <TextField
        id={`${id}-rp-id`}
        label="Relying party id"
        labelAside={<span className="text-xs text-muted-foreground">Optional</span>}
        value={rpId}
        placeholder="This site’s host"
        autoComplete="off"
        spellCheck={false}
        className="max-w-md"
        error={fieldErrors.passkeyRpId}
        describedBy={`${id}-rp-id-hint`}
        below={
          <p id={`${id}-rp-id-hint`} className="mt-1.5 text-sm text-muted-foreground">
            A parent domain of this site’s host, e.g. example.com for auth.example.com; blank = this host. Passkeys are bound to it: changing it
            makes the passkeys already added stop working.
          </p>
        }
        onChange={(event) => {
          setRpId(event.target.value);
          clearError("passkeyRpId");
        }}
      />
    </SettingsCard>
  );
}
