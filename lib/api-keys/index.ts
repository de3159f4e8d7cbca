import "server-only";
export {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  authenticateApiKey,
  API_KEY_PREFIX,
  API_KEY_NAME_MAX_LENGTH,
  LAST_USED_WRITE_INTERVAL_MS,
  type ApiKeySummary,
  type AuthenticatedApiKey,
  type ApiKeyActor,
} from "./keys";
