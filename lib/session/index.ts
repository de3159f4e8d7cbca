import "server-only";
export { getActiveSigningKey, SigningKeyUnreadableError, getPublicJwks, rotateSigningKey, listSigningKeys, getPublicKeyPem, publicJwkToPem, RETIRED_KEY_GRACE_MS, type SigningKeySummary } from "./keys";
export { mintSessionToken, CLOCK_SKEW_SECONDS } from "./tokens";
export {
  openSession,
  issueTokenForSession,
  refreshSessionToken,
  UnknownClientError,
  signOut,
  revokeSession,
  actorOwnSession,
  type RequestContext,
  type SignOutScope,
  type StartedSession,
  type IssuedSessionToken,
  type OpenedSession,
} from "./sessions";
export { readKnownDevice, rememberDevice, isKnownDeviceOf, DEVICE_COOKIE_MAX_AGE_SECONDS, type KnownDevice } from "./known-device";
export {
  setAuthCookies,
  setClientCookie,
  clearAuthCookies,
  clearSessionTokenCookies,
  readClientToken,
  readHandshakeCount,
  setHandshakeCount,
  setOAuthFlowCookie,
  readOAuthFlowCookie,
  clearOAuthFlowCookie,
  setLastProviderCookie,
} from "./cookies";
export { listBrowserAccounts, switchActiveSession, type BrowserAccount } from "./accounts";
export { listDevices, signOutDevice, signOutOtherDevices, describeUserAgent, type Device } from "./devices";
export { ensureClient, isSameClient, isSignedInAs, type EnsuredClient, type ResolvedClient } from "./clients";
export { requestContext } from "./request-context";
export { verifyTokenOnServer, authenticateRequest, requireRequestAuth, requireOwnRequestAuth, auth, currentUser, requireUser, requireAdmin, requireAdminRequest, type AdminRequestAuth, readClientTokenFromCookies, readLastProviderFromCookies, type AuthState } from "./server";
