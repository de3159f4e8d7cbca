/**
 * "By signing up you agree to the Terms and Privacy Policy" (S8), with the admin's
 * links; nothing when neither is set. The links open in a new tab so the half-filled
 * form stays where it is.
 */
export function TermsNotice({ termsUrl, privacyUrl }: { termsUrl: string | null; privacyUrl: string | null }) {
  if (!termsUrl && !privacyUrl) return null;
  const link = (href: string, label: string) => (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      className="rounded-sm font-medium text-brand underline underline-offset-4 focus-visible:outline-2 focus-visible:outline-brand"
    >
      {label}
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
  return (
    <p className="mt-3 text-center text-xs leading-5 text-muted-foreground" data-testid="terms-notice">
      By signing up you agree to the {termsUrl ? link(termsUrl, "Terms") : null}
      {termsUrl && privacyUrl ? " and " : null}
      {privacyUrl ? link(privacyUrl, "Privacy Policy") : null}.
    </p>
  );
}
