import "server-only";
export { signInWithPassword, LOCKOUT_THRESHOLD, LOCKOUT_DURATION_MS, type SignInResult } from "./password-sign-in";
export { createAccountWithoutSignUp, createAccountsWithoutSignUp } from "./attempts";
export {
  EMAIL_ATTEMPT_TTL_MS,
  PASSWORD_ATTEMPT_TTL_MS,
  type Attempt,
  type AttemptKind,
  type FirstFactor,
  type SignInOutcome,
} from "./attempts";
export {
  sendEmailCode,
  resendEmailCode,
  verifyEmailCode,
  inspectEmailLink,
  confirmEmailLink,
  denyEmailLink,
  emailAttemptStatus,
  type EmailIntent,
  type EmailSent,
  type EmailFlowResult,
  type LinkConfirmation,
  type LinkInspection,
  type AttemptStatus,
} from "./email-flow";
export {
  sendPasswordReset,
  verifyPasswordReset,
  completePasswordReset,
  inspectResetLink,
  resetLinkUrl,
  type ResetSent,
  type ResetResult,
} from "./password-reset";
export { describeDevice, requestedFrom } from "./requested-from";
export { signInMethods, assertSignInMethodEnabled, type SignInMethod, type SignInMethods } from "./methods";
export {
  startOAuth,
  finishOAuth,
  oauthCallbackUrl,
  pendingOAuthStep,
  type PendingOAuthStep,
  signInWithOAuth,
  listExternalAccounts,
  disconnectExternalAccount,
  type OAuthProfile,
  type OAuthOutcome,
  type OAuthCallbackResult,
  type OAuthCallbackFailure,
} from "./oauth-sign-in";
export {
  startImpersonation,
  stopImpersonation,
  IMPERSONATION_MAX_MS,
  IMPERSONATION_LANDING_URL,
  type StartedImpersonation,
  type StoppedImpersonation,
} from "./impersonation";
export { startPasskeySignIn, finishPasskeySignIn, type PasskeySignInStart } from "./passkey-sign-in";
export {
  createActorToken,
  revokeActorToken,
  consumeActorToken,
  ActorTokenError,
  actorTokenUrl,
  ACTOR_TOKEN_PATH,
  ACTOR_TOKEN_MAX_SECONDS,
  ACTOR_TOKEN_DEFAULT_SECONDS,
  type ActorTokenFailure,
  type ActorTokenStatus,
  type ActorTokenSummary,
  type ActorTokenRequester,
} from "./actor-tokens";
export {
  sendPhoneCode,
  resendPhoneCode,
  verifyPhoneCode,
  sendPasswordResetSms,
  assertPhoneIdentifierEnabled,
  PHONE_SIGN_IN_OFF_MESSAGE,
  type PhoneIntent,
  type PhoneCodeSent,
  type PhoneFlowResult,
} from "./phone-flow";
