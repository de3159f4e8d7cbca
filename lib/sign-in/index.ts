import "server-only";
export { signInWithPassword, LOCKOUT_THRESHOLD, LOCKOUT_DURATION_MS, type SignInResult } from "./password-sign-in";
export { completeFirstFactor, type FirstFactor, type FirstFactorOutcome } from "./complete";
export {
  sendEmailCode,
  resendEmailCode,
  verifyEmailCode,
  inspectEmailLink,
  confirmEmailLink,
  emailAttemptStatus,
  SIGN_IN_ATTEMPT_TTL_MS,
  type EmailIntent,
  type EmailSent,
  type EmailFlowResult,
  type LinkConfirmation,
  type AttemptStatus,
} from "./email-flow";
export {
  sendPasswordReset,
  verifyPasswordReset,
  completePasswordReset,
  resetLinkUrl,
  type ResetSent,
  type ResetResult,
} from "./password-reset";
