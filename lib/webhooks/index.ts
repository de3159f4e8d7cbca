import "server-only";
export { WEBHOOK_EVENT_TYPES, isWebhookEventType, type WebhookEventType } from "./event-types";
export {
  listWebhookEndpoints,
  getWebhookEndpoint,
  createWebhookEndpoint,
  updateWebhookEndpoint,
  enableWebhookEndpoint,
  disableWebhookEndpoint,
  deleteWebhookEndpoint,
  revealWebhookSecret,
  rotateWebhookSecret,
  newWebhookSecret,
  normalizeEventFilter,
  parseWebhookEndpointId,
  webhookEndpointFields,
  PREVIOUS_SECRET_GRACE_MS,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  type WebhookActor,
  type WebhookEndpointStatus,
  type WebhookEndpointSummary,
  type WebhookEndpointDetail,
  type WebhookLastDelivery,
  type WebhookEndpointInput,
  type WebhookEndpointPatch,
} from "./endpoints";
export {
  listWebhookDeliveries,
  findWebhookDelivery,
  replayWebhookDelivery,
  DELIVERY_PAGE_DEFAULT_LIMIT,
  DELIVERY_PAGE_MAX_LIMIT,
  type WebhookDeliveryRow,
  type WebhookAttemptRow,
  type WebhookDeliveryPage,
  type WebhookDeliveryQuery,
} from "./deliveries";
export {
  assertWebhookUrlAllowed,
  assertDeliverableUrl,
  isPublicAddress,
  privateUrlsAllowed,
  WEBHOOK_URL_MAX_LENGTH,
  type UrlGuardOptions,
} from "./url-guard";
export {
  emitWebhookEvent,
  emitWebhookEvents,
  emitUserUpdated,
  emitSessionEvents,
  emitNothing,
  newWebhookEvent,
  type WebhookEventPayload,
} from "./events";
export { sendExampleEvent, replayWebhookMessage, exampleEventData } from "./examples";
export {
  webhookChannel,
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_CIRCUIT_OPEN_AFTER_MS,
  WEBHOOK_CONCURRENCY,
  type WebhookChannelOptions,
} from "./channel";
export { postWebhook, webhookBody, webhookSigners, WEBHOOK_TIMEOUT_MS, WEBHOOK_USER_AGENT, type WebhookResponse } from "./delivery";
