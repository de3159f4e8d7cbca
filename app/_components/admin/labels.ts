/** Display names for the first factors the sign-in attempt records (lib/sign-in/attempts.ts FirstFactor). */
const METHOD_LABELS: Record<string, string> = {
  password: "Password",
  email_code: "Email code",
  email_link: "Email link",
  reset_password: "Password reset",
  passkey: "Passkey",
  impersonation: "Impersonation",
};

/** Built-in providers whose name is not the capitalised id (lib/oauth/providers.ts presets). */
const PROVIDER_NAMES: Record<string, string> = { github: "GitHub", linkedin: "LinkedIn", gitlab: "GitLab", x: "X" };

export function signInMethodLabel(method: string): string {
  if (METHOD_LABELS[method]) return METHOD_LABELS[method];
  if (method.startsWith("oauth_")) {
    const provider = method.slice("oauth_".length);
    return PROVIDER_NAMES[provider] ?? provider.charAt(0).toUpperCase() + provider.slice(1);
  }
  return method;
}

/** "Jane Doe", else the username, else the email, else the id. */
export function displayName(user: { firstName: string | null; lastName: string | null; username?: string | null; email: string | null; id: string }): string {
  const full = [user.firstName, user.lastName].filter(Boolean).join(" ");
  return full || user.username || user.email || user.id;
}

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

/** Server-rendered times are UTC (the page and the browser agree; no hydration mismatch). */
export function formatDateTime(date: Date | string | null): string {
  return date ? `${dateTime.format(new Date(date))} UTC` : "—";
}

export function formatDate(date: Date | string | null): string {
  return date ? dateOnly.format(new Date(date)) : "—";
}
