import "server-only";
export { normalizeEmail, isAdminEmail } from "./email";
export { findAccountByEmail, getUserProfile, type UserProfile, type AccountByEmail } from "./queries";
export { createUser, createUsers, linkExternalAccount, EMAIL_TAKEN_MESSAGE, PHONE_TAKEN_MESSAGE, type NewUser, type ExternalIdentity } from "./create-user";
export {
  assertSignUpAllowed,
  assertPhoneSignUpAllowed,
  assertEmailSignUpEnabled,
  assertSignInAllowed,
  anyBlocked,
  AccessPolicyError,
  SIGN_UP_RESTRICTED_MESSAGE,
  SIGN_IN_BLOCKED_MESSAGE,
  type AccessPolicySettings,
  type InvitationCheck,
} from "./sign-up-policy";
export {
  createInvitation,
  listInvitations,
  revokeInvitation,
  inspectInvitation,
  checkInvitationToken,
  invitationUrl,
  INVITATION_TTL_MS,
  type InvitationSummary,
  type InvitationStatus,
  type InvitationInspection,
} from "./invitations";
export { changePassword } from "./change-password";
export {
  listEmailAddresses,
  addEmailAddress,
  setPrimaryEmailAddress,
  removeEmailAddress,
  MAX_EMAIL_ADDRESSES,
  type AccountEmailAddress,
} from "./email-addresses";
export { deleteUser, DELETE_CONFIRMATION_WORD, findUserToErase, eraseUser, type UserToErase } from "./delete-user";
export {
  getAccountProfile,
  updateProfile,
  checkUsername,
  externalIdTaken,
  profileChangesSchema,
  profileNameField,
  usernameField,
  type AccountProfile,
  type ChangeContext,
  type ProfileChanges,
} from "./profile";
export {
  setAvatar,
  removeAvatar,
  processAvatarImage,
  sniffImageType,
  generatedAvatarSvg,
  getServedAvatar,
  avatarUrl,
  AVATAR_FIELD,
  AVATAR_MAX_BYTES,
  AVATAR_MESSAGES,
  type ServedAvatar,
} from "./avatar";
export { getUserMetadata, updateUnsafeMetadata, metadataObjectSchema, METADATA_MAX_BYTES, type UserVisibleMetadata, type JsonObject } from "./metadata";
export { importProviderPicture, isFetchablePictureUrl } from "./provider-picture";
export { toUserResource, readUserResource, USER_RESOURCE_SELECT, type UserResource } from "./resource";
export {
  findAccountByPhone,
  listPhoneNumbers,
  addPhoneNumber,
  sendPhoneNumberCode,
  verifyPhoneNumber,
  setPrimaryPhoneNumber,
  removePhoneNumber,
  MAX_PHONE_NUMBERS,
  PHONE_NUMBERS_OFF_MESSAGE,
  LAST_WAY_IN_MESSAGE,
  type AccountPhoneNumber,
} from "./phone-numbers";
