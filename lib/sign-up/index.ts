import "server-only";
export { signUpWithPassword, type SignUpResult } from "./password-sign-up";
export { startVerifiedSignUp, resendSignUpEmail, quietRefusal, confirmLinkUrl, type VerificationSent } from "./verified-sign-up";
export { startPasskeySignUp, passkeySignUpOptions, finishPasskeySignUp, PASSKEY_SIGN_UP_OFF_MESSAGE, type PasskeySignUpResult } from "./passkey-sign-up";
