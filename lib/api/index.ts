import "server-only";
export { apiHandler, issuesToApiErrors, API_MAX_BODY_BYTES, API_RATE_LIMIT, type ApiContext, type ApiActor, type RouteContext } from "./handler";
export { apiError, apiErrorResponse, apiParamName, ApiError, apiErrorsSchema, apiErrorItemSchema, API_ERROR_STATUSES, type ApiErrorItem, type ApiErrorStatus } from "./errors";
export { defineOperation, type ApiOperation, type ApiMethod } from "./operation";
export { buildOpenApiDocument, API_LIMITS_DESCRIPTION, type OpenApiInfo } from "./openapi";
export { V1, V1_OPERATIONS } from "./v1/operations";
export { v1OpenApiDocument } from "./v1/document";
export {
  getUserResource,
  listUserResources,
  createUserFromApi,
  updateUserFromApi,
  mergeUserMetadata,
  deepMergeMetadata,
  banUserFromApi,
  unbanUserFromApi,
  deleteUserFromApi,
  type ApiUserActor,
} from "./v1/users";
export {
  listSessionResources,
  revokeSessionFromApi,
  mintTemplateTokenFromApi,
  verifySessionTokenFromApi,
  toSessionResource,
  type SessionResource,
} from "./v1/sessions";
export { createActorTokenFromApi, revokeActorTokenFromApi } from "./v1/actor-tokens";
