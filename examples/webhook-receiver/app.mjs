// Receives the portal's webhooks: verify the signature on the RAW body with the
// official `svix` package, then handle each message once (see README.md).
import express from "express";
import { Webhook, WebhookVerificationError } from "svix";

/**
 * The svix-ids already handled. Delivery is at-least-once: a retry after a
 * timeout, or an admin's "Replay", sends the same svix-id again (with a fresh
 * timestamp and signature). Remember ids at least as long as retries run
 * (about 28 hours; a replay can come later still). In production, use a table
 * with a unique svix_id column, written in the same transaction as the event's
 * effect. This in-memory version keeps the newest `maxEntries` ids of this
 * process.
 * @param {{ maxEntries?: number }} [options]
 */
export function createMemoryProcessedIds({ maxEntries = 100_000 } = {}) {
  const ids = new Set();
  return {
    /** @param {string} id */
    has: async (id) => ids.has(id),
    /** @param {string} id */
    add: async (id) => {
      if (ids.size >= maxEntries) ids.delete(ids.values().next().value);
      ids.add(id);
    },
  };
}

/**
 * @typedef {{ type: string, object: "event", data: Record<string, unknown>, timestamp: number }} PortalEvent
 * @typedef {{ has: (id: string) => Promise<boolean>, add: (id: string) => Promise<void> }} ProcessedIds
 */

/**
 * @param {object} options
 * @param {string} options.secret  the endpoint's signing secret, `whsec_...` (Admin → Webhooks → endpoint → Reveal)
 * @param {(event: PortalEvent, meta: { id: string }) => Promise<void> | void} options.onEvent
 *   your handler; throw to answer 500 and have the portal retry later
 * @param {ProcessedIds} [options.processedIds]
 * @param {string} [options.path]  default /webhooks/portal
 */
export function createReceiverApp({ secret, onEvent, processedIds = createMemoryProcessedIds(), path = "/webhooks/portal" }) {
  const webhook = new Webhook(secret);
  /** Deliveries of one svix-id being handled right now: a second copy waits for the first instead of running twice. */
  const inFlight = new Map();
  const app = express();
  app.disable("x-powered-by");

  // express.raw, not express.json: the signature covers the exact bytes sent, and re-serialised JSON is not those bytes.
  app.post(path, express.raw({ type: "application/json", limit: "1mb" }), async (request, response) => {
    if (!Buffer.isBuffer(request.body)) {
      response.status(415).json({ error: "expected an application/json body" });
      return;
    }
    const headers = {
      "svix-id": request.get("svix-id") ?? "",
      "svix-timestamp": request.get("svix-timestamp") ?? "",
      "svix-signature": request.get("svix-signature") ?? "",
    };
    try {
      // Checks the HMAC (any of the space-separated v1 signatures) and that the timestamp is within 5 minutes.
      webhook.verify(request.body, headers);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      response.status(400).json({ error: "invalid_signature", message: error.message });
      return;
    }

    const id = headers["svix-id"];
    // Wait for a copy of this message that is being handled right now (if it fails, this copy tries again).
    while (inFlight.has(id)) await inFlight.get(id).catch(() => {});
    const handling = (async () => {
      if (await processedIds.has(id)) return;
      await onEvent(JSON.parse(request.body.toString("utf8")), { id });
      await processedIds.add(id);
    })();
    inFlight.set(id, handling);
    try {
      await handling; // a throw answers 500: the portal retries later with the same svix-id
    } finally {
      if (inFlight.get(id) === handling) inFlight.delete(id);
    }
    // Any 2xx marks the delivery done; a duplicate is answered the same way so the portal stops retrying it.
    response.status(200).json({ received: true });
  });

  return app;
}
