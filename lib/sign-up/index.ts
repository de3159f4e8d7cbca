import "server-only";
export { signUpWithPassword, type SignUpResult } from "./password-sign-up";
export { startVerifiedSignUp, resendSignUpEmail, confirmLinkUrl, type VerificationSent } from "./verified-sign-up";
