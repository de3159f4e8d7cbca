import { getJson, patchJson, postJson, withSession, type ApiResult } from "../../api";

/** The admin webhook routes (app/api/admin/webhooks/**), each through withSession (short-lived session tokens). */
export { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";

/** What each event means, for the filter's checkboxes and the example picker. */
export const EVENT_DESCRIPTIONS: Record<string, string> = {
  "user.created": "A user signed up or was created.",
  "user.updated": "Profile, email addresses, metadata, password, MFA, ban or lock changed.",
  "user.deleted": "A user was deleted.",
  "session.created": "Someone signed in.",
  "session.ended": "Someone signed out.",
  "session.revoked": "A session was ended by another device, an admin, a ban or a password change.",
  "email.created": "An email was queued (codes, links, notices).",
  "sms.created": "A text message was queued.",
};

export const endpointPath = (endpointId: string, action = "") => `/api/admin/webhooks/${encodeURIComponent(endpointId)}${action ? `/${action}` : ""}`;

export type DeliveryStatus = "pending" | "sending" | "sent" | "failed";

export type EndpointStatus = "active" | "disabled" | "paused";

export type EndpointFormValues = { url: string; description: string; events: string[] };

export type AttemptJson = { id: string; attempt: number; statusCode: number | null; latencyMs: number; responseExcerpt: string | null; createdAt: string };

export type DeliveryJson = {
  id: string;
  msgId: string | null;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  payload: unknown;
  attemptLog: AttemptJson[];
};

export type DeliveryPageJson = { deliveries: DeliveryJson[]; nextCursor: string | null };

export const ENDPOINT_FIELDS = ["url", "description", "events"] as const;

export function createEndpoint(values: EndpointFormValues): Promise<ApiResult<{ endpoint: { id: string } }>> {
  return withSession(() => postJson("/api/admin/webhooks", values, { fields: ENDPOINT_FIELDS }));
}

export function updateEndpoint(endpointId: string, values: EndpointFormValues): Promise<ApiResult<{ endpoint: { id: string } }>> {
  return withSession(() => patchJson(endpointPath(endpointId), values, { fields: ENDPOINT_FIELDS }));
}

export function postEndpointAction<T = unknown>(endpointId: string, action: string, body: unknown = {}, fields?: readonly string[]): Promise<ApiResult<T>> {
  return postJson<T>(endpointPath(endpointId, action), body, { fields });
}

export function readDeliveries(endpointId: string, options: { cursor?: string | null; status?: DeliveryStatus | "" }): Promise<ApiResult<DeliveryPageJson>> {
  const query = new URLSearchParams();
  if (options.cursor) query.set("cursor", options.cursor);
  if (options.status) query.set("status", options.status);
  const suffix = query.size ? `?${query}` : "";
  return withSession(() => getJson<DeliveryPageJson>(`${endpointPath(endpointId, "deliveries")}${suffix}`));
}
