import "server-only";
export {
  VERIFICATION_TTL_MS,
  MAX_CODE_ATTEMPTS,
  RESEND_COOLDOWN_MS,
  newVerificationSecrets,
  storeVerification,
  chargeEmailSend,
  chargeSend,
  assertResendAllowed,
  assertUsable,
  verificationState,
  checkCode,
  consumeVerification,
  findByLinkToken,
  latestForAttempt,
  replaceLinkToken,
  hashLinkToken,
  type VerificationSecrets,
  type VerificationState,
} from "./codes";
export {
  sendEmailAddressVerification,
  verifyEmailAddressCode,
  confirmEmailAddressLink,
  notifyPrimaryEmailChanged,
  preparePrimaryEmailChangedNotice,
} from "./email-address";
export { markPhoneNumberVerified, PHONE_IN_USE_MESSAGE } from "./phone-number";
