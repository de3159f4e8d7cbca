import "server-only";
import crypto from "node:crypto";
import { derivedKeys, randomToken, safeEqual } from "@/lib/crypto";

/**
 * Device cookies (the OWASP "Slow Down Online Guessing Attacks with Device
 * Cookies" pattern, S10). After a successful sign-in the browser gets a signed
 * cookie naming the users who have signed in on it. A password sign-in from
 * such a browser for one of those users is budgeted per device, and a lockout
 * caused by strangers does not apply to it: someone who only knows the
 * victim's address can exhaust the strangers' budget, never the owner's.
 *
 * Format: `v1.<payload>.<mac>`, payload = base64url(JSON { d: device id,
 * u: user ids, newest first }), mac = HMAC-SHA256 with a key derived from
 * AUTH_SECRET. Stateless: nothing to look up, nothing to store. Written by
 * hand because it is one HMAC over a small JSON value; a JWT library would
 * add a header and algorithm choice that this cookie does not need.
 */
export type KnownDevice = { id: string; userIds: string[] };

/** Users remembered per browser (oldest dropped first). */
const MAX_USERS = 10;
/** Browsers cap cookie lifetimes at 400 days. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

function macUnder(key: Buffer, payload: string): string {
  return crypto.createHmac("sha256", key).update(payload).digest("base64url");
}

/** Signed under AUTH_SECRET; during a rotation, a cookie signed under the previous secret still reads (re-signed at the next sign-in). */
function signedByUs(payload: string, signature: string): boolean {
  return derivedKeys("device-cookie").some((key) => safeEqual(signature, macUnder(key, payload)));
}

/** The device a cookie names, or null when it is missing, malformed or not signed by us. */
export function readKnownDevice(token: string | null | undefined): KnownDevice | null {
  if (!token || token.length > 2048) return null;
  const [version, payload, signature] = token.split(".");
  if (version !== "v1" || !payload || !signature || !signedByUs(`v1.${payload}`, signature)) return null;
  try {
    const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { d?: unknown; u?: unknown };
    if (typeof value.d !== "string" || !Array.isArray(value.u) || !value.u.every((id) => typeof id === "string")) return null;
    return { id: value.d, userIds: value.u as string[] };
  } catch {
    return null;
  }
}

/** The cookie value after `userId` signed in on this browser (a new device when there was none). */
export function rememberDevice(token: string | null, userId: string): string {
  const known = readKnownDevice(token);
  const device = known ?? { id: randomToken(16), userIds: [] };
  const userIds = [userId, ...device.userIds.filter((id) => id !== userId)].slice(0, MAX_USERS);
  const payload = Buffer.from(JSON.stringify({ d: device.id, u: userIds })).toString("base64url");
  return `v1.${payload}.${macUnder(derivedKeys("device-cookie")[0]!, `v1.${payload}`)}`;
}

/** Whether this browser has signed in as `userId` before. */
export function isKnownDeviceOf(device: KnownDevice | null, userId: string | undefined): device is KnownDevice {
  return Boolean(device && userId && device.userIds.includes(userId));
}
