import "server-only";
export { getActiveSigningKey, getPublicJwks, rotateSigningKey, RETIRED_KEY_GRACE_MS } from "./keys";
export { mintSessionToken, CLOCK_SKEW_SECONDS } from "./tokens";
export {
  openSession,
  issueTokenForSession,
  refreshSessionToken,
  signOut,
  revokeSession,
  type RequestContext,
  type SignOutScope,
  type StartedSession,
  type IssuedSessionToken,
} from "./sessions";
export { setAuthCookies, setClientCookie, clearAuthCookies, readClientToken } from "./cookies";
export { ensureClient, isSameClient, type ResolvedClient } from "./clients";
export { requestContext } from "./request-context";
export { authenticateRequest, auth, currentUser, requireUser, requireAdmin, type AuthState } from "./server";
