import "server-only";
export { checkTotp, newTotpSecret, totpCodeAt, totpUri, TOTP_PERIOD_SECONDS } from "./totp";
export { BACKUP_CODE_COUNT, BACKUP_CODES_LOW, generateBackupCode, normalizeBackupCode } from "./backup-codes";
export {
  getMfaStatus,
  startTotpEnrolment,
  confirmTotpEnrolment,
  disableTotp,
  startSmsEnrolment,
  confirmSmsEnrolment,
  disableSms,
  regenerateBackupCodes,
  resetMfa,
  type MfaStatus,
  type TotpEnrolment,
} from "./factors";
export {
  secondFactorMethods,
  sendSecondFactorSms,
  verifySecondFactor,
  MAX_SECOND_FACTOR_FAILURES,
  type SecondFactorMethods,
} from "./second-factor";
export {
  requireRecentVerification,
  reverificationMethods,
  reverify,
  sendReverificationSms,
  sendReverificationEmail,
  type ReverificationMethods,
  STEP_UP_WINDOW_MS,
  type Reverification,
  type Verifier,
} from "./step-up";
