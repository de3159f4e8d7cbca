// svix's v1 webhook signature with node:crypto, for the benches' load
// generators: base64 HMAC-SHA256 of `${id}.${seconds}.${body}` keyed with the
// base64 secret after `whsec_`, what svix's `Webhook#sign` computes (and what
// lib/webhooks/delivery.ts sends; delivery-client.test.ts compares the two).
// Why not svix's own signer: it hashes in pure JavaScript, so with a 1 kB
// event the load generator would take CPU per request from the receiver it
// measures, on the same two cores.
import crypto from "node:crypto";

/** @param {string} secret whsec_... */
export function svixSigner(secret) {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
  /** @param {string} id @param {number} seconds Unix seconds @param {string} body */
  return (id, seconds, body) => `v1,${crypto.createHmac("sha256", key).update(`${id}.${seconds}.${body}`).digest("base64")}`;
}
