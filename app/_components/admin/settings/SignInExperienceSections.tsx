"use client";

import { useId, useState, type ReactNode } from "react";
import { FieldError, inputClassName, OptionalHint, TextField } from "../../TextField";
import { pick, same, SettingsCard, useAdminSettings, useSectionSave } from "./settings-context";
import type { AdminSettings } from "./settings-api";

/**
 * The sign-in experience settings the posts describe (S4, S5, S8): what verification
 * emails carry, where people land after signing in, up and out, and how the sign-in
 * and sign-up pages look (provider buttons above or below the form, terms and privacy links).
 */

/** A labelled native select with its hint and field error (keyboard and screen readers get a plain <select>). */
export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  hint,
  error,
}: {
  id: string;
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  hint: ReactNode;
  error?: string | null;
}) {
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-foreground">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value as V)}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        aria-invalid={error ? true : undefined}
        className={`${inputClassName} mt-1.5 max-w-md`}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <p id={`${id}-hint`} className="mt-1.5 text-sm text-muted-foreground">
        {hint}
      </p>
      <FieldError id={`${id}-error`} error={error} className={error ? "mt-1.5" : ""} />
    </div>
  );
}

const VERIFICATION_KEYS = ["verificationEmailContent"] as const;

const VERIFICATION_OPTIONS = [
  { value: "both", label: "A code and a link" },
  { value: "code", label: "A code only" },
  { value: "link", label: "A link only" },
] as const satisfies readonly { value: AdminSettings["verificationEmailContent"]; label: string }[];

/** What sign-up and added-address verification emails carry (S4); sign-in emails follow the sign-in methods. */
export function VerificationEmailsSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, VERIFICATION_KEYS);
  const [content, setContent] = useState(saved.verificationEmailContent);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Verification emails", keys: VERIFICATION_KEYS });

  async function onSubmit() {
    const next = await submit({ verificationEmailContent: content });
    if (next) setContent(next.verificationEmailContent);
  }

  return (
    <SettingsCard
      id="verification-emails"
      title="Verification emails"
      description="The email that confirms an address at sign-up and when someone adds an address to their account. Sign-in emails carry what the sign-in methods above turn on."
      dirty={content !== saved.verificationEmailContent}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <SelectField
        id={`${id}-content`}
        label="The email contains"
        value={content}
        options={VERIFICATION_OPTIONS}
        onChange={(value) => {
          setContent(value);
          clearError("verificationEmailContent");
        }}
        error={fieldErrors.verificationEmailContent}
        hint="What is left out is refused too, even from an email sent before this change: with “code only”, a link does not verify; with “link only”, a code does not. A link works only on the device that asked, unless links may be opened on another device."
      />
    </SettingsCard>
  );
}

const REDIRECT_KEYS = ["afterSignInUrl", "afterSignUpUrl", "afterSignOutUrl"] as const;
type RedirectKey = (typeof REDIRECT_KEYS)[number];

const REDIRECT_FIELDS: { key: RedirectKey; label: string; hint: string }[] = [
  { key: "afterSignInUrl", label: "After sign-in", hint: "Also where a signed-in visitor of the sign-in page goes. Default: /" },
  { key: "afterSignUpUrl", label: "After sign-up", hint: "When the account was just created, on the sign-up page or through a provider. Default: /" },
  { key: "afterSignOutUrl", label: "After sign-out", hint: "When the last account on the browser signs out. Default: /sign-in" },
];

/** Mirrors the server's rule (lib/http allowedRedirect) for the obvious mistakes; the server decides on origins. */
function redirectError(value: string): string | null {
  const trimmed = value.trim();
  if (!trimmed) return "Enter a path such as /account or an allowed URL.";
  if (trimmed.startsWith("//") || (!trimmed.startsWith("/") && !/^https?:\/\//i.test(trimmed))) {
    return "Use a path on this site (starting with /) or a URL on an origin in ALLOWED_REDIRECT_ORIGINS.";
  }
  return null;
}

/** Where people land when the app that sent them named no redirect_url (S8). */
export function RedirectsSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, REDIRECT_KEYS);
  const [draft, setDraft] = useState<Record<RedirectKey, string>>(saved);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Redirects", keys: REDIRECT_KEYS });

  async function onSubmit() {
    const errors: Record<string, string> = {};
    for (const { key } of REDIRECT_FIELDS) {
      const error = redirectError(draft[key]);
      if (error) errors[key] = error;
    }
    const trimmed = Object.fromEntries(REDIRECT_KEYS.map((key) => [key, draft[key].trim()])) as Record<RedirectKey, string>;
    const next = await submit(trimmed, errors);
    if (next) setDraft(pick(next, REDIRECT_KEYS));
  }

  return (
    <SettingsCard
      id="redirects"
      title="Redirects"
      description="Where people land when the app that sent them here named no redirect_url. A path on this site, or a URL on an origin listed in ALLOWED_REDIRECT_ORIGINS: the same rule as for redirect_url."
      dirty={REDIRECT_KEYS.some((key) => draft[key].trim() !== saved[key])}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      {REDIRECT_FIELDS.map(({ key, label, hint }) => (
        <TextField
          key={key}
          id={`${id}-${key}`}
          label={label}
          value={draft[key]}
          autoComplete="off"
          spellCheck={false}
          className="max-w-xl"
          error={fieldErrors[key]}
          describedBy={`${id}-${key}-hint`}
          below={
            <p id={`${id}-${key}-hint`} className="mt-1.5 text-sm text-muted-foreground">
              {hint}
            </p>
          }
          onChange={(event) => {
            const value = event.target.value;
            setDraft((current) => ({ ...current, [key]: value }));
            clearError(key);
          }}
        />
      ))}
    </SettingsCard>
  );
}

const PAGE_KEYS = ["socialButtonsPlacement", "termsUrl", "privacyUrl"] as const;

const PLACEMENT_OPTIONS = [
  { value: "top", label: "Above the form" },
  { value: "bottom", label: "Below the form" },
] as const satisfies readonly { value: AdminSettings["socialButtonsPlacement"]; label: string }[];

/** Mirrors lib/settings (documentLink): an https URL or a path here; blank hides the link. */
function documentLinkError(value: string): string | null {
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (trimmed.startsWith("/") && !trimmed.startsWith("//")) return null;
  if (/^https:\/\/[^/\s]/i.test(trimmed)) return null;
  return "Enter an https:// URL or a path starting with /.";
}

/** How the sign-in and sign-up pages look (S5, S8): provider buttons' place, terms and privacy links. */
export function AuthPagesSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, PAGE_KEYS);
  const [placement, setPlacement] = useState(saved.socialButtonsPlacement);
  const [terms, setTerms] = useState(saved.termsUrl ?? "");
  const [privacy, setPrivacy] = useState(saved.privacyUrl ?? "");
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Sign-in and sign-up pages", keys: PAGE_KEYS });

  const draft = { socialButtonsPlacement: placement, termsUrl: terms.trim() || null, privacyUrl: privacy.trim() || null };

  async function onSubmit() {
    const errors: Record<string, string> = {};
    const termsError = documentLinkError(terms);
    const privacyError = documentLinkError(privacy);
    if (termsError) errors.termsUrl = termsError;
    if (privacyError) errors.privacyUrl = privacyError;
    const next = await submit(draft, errors);
    if (next) {
      setPlacement(next.socialButtonsPlacement);
      setTerms(next.termsUrl ?? "");
      setPrivacy(next.privacyUrl ?? "");
    }
  }

  const linkField = (key: "termsUrl" | "privacyUrl", label: string, value: string, set: (value: string) => void) => (
    <TextField
      id={`${id}-${key}`}
      label={label}
      labelAside={<OptionalHint />}
      value={value}
      placeholder="https://example.com/terms or /terms"
      autoComplete="off"
      spellCheck={false}
      className="max-w-xl"
      error={fieldErrors[key]}
      onChange={(event) => {
        set(event.target.value);
        clearError(key);
      }}
    />
  );

  return (
    <SettingsCard
      id="auth-pages"
      title="Sign-in and sign-up pages"
      description="Where the “Continue with …” buttons sit, and the legal links sign-up shows."
      dirty={!same(draft, saved)}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <SelectField
        id={`${id}-placement`}
        label="Provider buttons"
        value={placement}
        options={PLACEMENT_OPTIONS}
        onChange={(value) => {
          setPlacement(value);
          clearError("socialButtonsPlacement");
        }}
        error={fieldErrors.socialButtonsPlacement}
        hint="On both the sign-in and the sign-up page. Shown only while OAuth providers are on and configured."
      />
      <div>
        {linkField("termsUrl", "Terms of service", terms, setTerms)}
        {linkField("privacyUrl", "Privacy policy", privacy, setPrivacy)}
        <p className="text-sm text-muted-foreground">
          An https:// URL or a path on this site. When set, sign-up says “By signing up you agree to the Terms and Privacy Policy”, with the
          links; blank leaves that link out.
        </p>
      </div>
    </SettingsCard>
  );
}
