/**
 * Username rules (S7), shared by the server and the profile form (no
 * server-only imports: the form checks the format as the user types). Stored
 * lower-cased, so "taken" is case-insensitive.
 */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 30;
const USERNAME_PATTERN = /^[a-z0-9_-]+$/;

/** What a typed username is stored as: trimmed and lower-cased. */
export function normalizeUsername(value: string): string {
  return value.trim().toLowerCase();
}

/** Why a (normalized) username breaks the rules, or null when it follows them. Taken-ness is the server's. */
export function usernameProblem(username: string): string | null {
  if (username.length < USERNAME_MIN) return `Username must be at least ${USERNAME_MIN} characters.`;
  if (username.length > USERNAME_MAX) return `Username must be at most ${USERNAME_MAX} characters.`;
  if (!USERNAME_PATTERN.test(username)) return "Username can only contain lowercase letters, digits, underscores (_) and hyphens (-).";
  return null;
}

export const USERNAME_TAKEN_MESSAGE = "That username is taken. Try another one.";
