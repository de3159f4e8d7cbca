import "server-only";
export { signUpWithPassword, type SignUpResult } from "./password-sign-up";
export {
  startVerifiedSignUp,
  resendSignUpEmail,
  completeVerifiedSignUp,
  confirmLinkUrl,
  SIGN_UP_ATTEMPT_TTL_MS,
  type VerificationSent,
} from "./verified-sign-up";
