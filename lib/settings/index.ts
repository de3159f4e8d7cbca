import "server-only";
export {
  getInstanceSettings,
  readInstanceSettings,
  updateInstanceSettings,
  instanceSettingsDefaults,
  parseStoredSettings,
  forgetCachedSettings,
  setSettingsCacheTtlForTests,
  settingsPatchSchema,
  passkeySignUpEnabled,
  PASSKEY_SIGN_UP_NEEDS_PASSKEYS,
  IDENTIFIERS_NEED_EMAIL_OR_PHONE,
  type InstanceSettings,
  type InstanceSettingsPatch,
  type VersionedSettings,
} from "./settings";
export {
  readAdminSettings,
  updateAdminSettings,
  adminSettingsView,
  type AdminSettingsView,
  type AdminOAuthProviderView,
  type VersionedAdminSettings,
} from "./admin-settings";
export {
  accessListSchema,
  matchesAccessList,
  normalizeAccessEntry,
  isValidAccessEntry,
  emailDomain,
  ACCESS_LIST_MAX_ENTRIES,
} from "./access-lists";
export { verificationEmailParts, verificationStepContents, assertVerificationBy } from "./verification-email";
export { redirectAfter, defaultRedirect, type RedirectMoment } from "./redirects";
export { assertSomeSignInMethod, SIGN_IN_METHOD_SETTINGS, NO_SIGN_IN_METHOD_MESSAGE } from "./sign-in-methods";
