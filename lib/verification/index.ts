import "server-only";
export {
  VERIFICATION_TTL_MS,
  MAX_CODE_ATTEMPTS,
  RESEND_COOLDOWN_MS,
  issueVerification,
  assertResendAllowed,
  assertUsable,
  verificationState,
  checkCode,
  consumeVerification,
  findByLinkToken,
  latestForAttempt,
  replaceLinkToken,
  hashLinkToken,
  type IssuedVerification,
  type VerificationState,
} from "./codes";
export {
  sendEmailAddressVerification,
  verifyEmailAddressCode,
  confirmEmailAddressLink,
  notifyPrimaryEmailChanged,
} from "./email-address";
