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
  startSecurityKeyRegistration,
  finishSecurityKeyRegistration,
  listSecurityKeys,
  renameSecurityKey,
  removeSecurityKey,
  SECURITY_KEY_DEFAULT_NAME,
  type SecurityKeySummary,
} from "./security-keys";
export {
  secondFactorMethods,
  sendSecondFactorSms,
  verifySecondFactor,
  securityKeySignInOptions,
  MAX_SECOND_FACTOR_FAILURES,
  type SecondFactorAnswer,
  type SecondFactorMethods,
} from "./second-factor";
export {
  requireRecentVerification,
  reverificationMethods,
  reverify,
  reverificationSecurityKeyOptions,
  sendReverificationSms,
  sendReverificationEmail,
  type ReverificationMethods,
  STEP_UP_WINDOW_MS,
  type Reverification,
  type Verifier,
} from "./step-up";
