import crypto from "node:crypto";

/** Strong enough for the policy: long, not breached, zxcvbn score well above 2. */
export const STRONG_PASSWORD = "correct horse battery staple 42";
/** In every breached-password corpus. */
export const BREACHED_PASSWORD = "password123";

/**
 * A fresh address per call, safe across parallel workers and repeated runs
 * (lowercase, so it matches the normalized form the app displays).
 */
export function uniqueEmail(label = "user"): string {
  const stamp = Date.now().toString(36);
  const random = crypto.randomBytes(4).toString("hex");
  return `e2e-${label}-${stamp}-${random}@example.com`.toLowerCase();
}

export type TestUser = { email: string; password: string };

export function newUser(label?: string): TestUser {
  return { email: uniqueEmail(label), password: STRONG_PASSWORD };
}
