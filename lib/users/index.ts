import "server-only";
export { normalizeEmail, isAdminEmail } from "./email";
export { findAccountByEmail, getUserProfile, type UserProfile, type AccountByEmail } from "./queries";
export { createUser, EMAIL_TAKEN_MESSAGE, type NewUser } from "./create-user";
export { changePassword } from "./change-password";
