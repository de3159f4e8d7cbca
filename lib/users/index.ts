import "server-only";
export { normalizeEmail, isAdminEmail } from "./email";
export { findAccountByEmail, getUserProfile, type UserProfile, type AccountByEmail } from "./queries";
export { createUser, linkExternalAccount, EMAIL_TAKEN_MESSAGE, type NewUser, type ExternalIdentity } from "./create-user";
export { changePassword } from "./change-password";
