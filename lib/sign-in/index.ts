import "server-only";
export { signInWithPassword, LOCKOUT_THRESHOLD, LOCKOUT_DURATION_MS, type SignInResult } from "./password-sign-in";
