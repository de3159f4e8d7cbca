import "server-only";
export { normalizeEmail, isAdminEmail } from "./email";
export { findUserByEmail, getUserProfile, type UserProfile } from "./queries";
