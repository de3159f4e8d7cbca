import "server-only";
export { unlockUser } from "./unlock-user";
export { resealSecrets, type ResealSummary, type ResealTally } from "./reseal-secrets";
export { promoteToAdmin, findUserIdByEmail } from "./promote-user";
export { saveOAuthProvider } from "@/lib/oauth";
export {
  searchUsers,
  getAdminUserDetail,
  planUserSearch,
  userSearchStatements,
  explainUserSearch,
  parseUserIdParam,
  METADATA_VERSION_SQL,
  USER_SEARCH_DEFAULT_LIMIT,
  USER_SEARCH_MAX_LIMIT,
  USER_SEARCH_MAX_QUERY_LENGTH,
  type UserSearchInput,
  type UserSort,
  type AdminUserRow,
  type AdminUserDetail,
} from "./users";
export {
  banUser,
  unbanUser,
  lockUser,
  resetUserMfa,
  adminDeleteUser,
  updateUserMetadataAsAdmin,
  revokeUserSession,
  revokeAllUserSessions,
  DEFAULT_LOCK_MINUTES,
  MAX_LOCK_MINUTES,
  type AdminActor,
  type AdminMetadata,
} from "./user-actions";
export {
  listAuditEvents,
  auditEventTypes,
  auditEventsCsv,
  AUDIT_PAGE_MAX_LIMIT,
  type AuditFilters,
  type AuditRow,
} from "./audit-log";
export { getAdminOverview, type AdminOverview } from "./overview";
export { flagParam, instantParam, auditFilterParams } from "./query-params";
