import "server-only";
import dns from "node:dns";
import net from "node:net";
import { isPublicAddress } from "./public-address.mjs";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";

/**
 * Where webhooks may be sent (S9, S10 SSRF). An endpoint URL is chosen by an
 * admin, but the request leaves from the portal's own network: in production
 * a URL whose host is, or resolves to, an address inside that network
 * (loopback, private ranges, link-local with the cloud metadata service,
 * CGNAT, IPv6 unique-local ...) would let the console probe or call internal
 * services. Checked when an endpoint is saved and again before every delivery
 * (DNS can change in between). Outside production, or with
 * WEBHOOK_ALLOW_PRIVATE_URLS=on, such addresses are allowed (a receiver on
 * localhost while developing).
 */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

export { isPublicAddress };

export type ResolvedAddress = { address: string; family: number };

export type UrlGuardOptions = {
  /** Allow non-public addresses; default: outside production, or WEBHOOK_ALLOW_PRIVATE_URLS=on. */
  allowPrivate?: boolean;
  /** Resolves a host name to every address (default: the system resolver, as `fetch` uses). */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
};

export function privateUrlsAllowed(): boolean {
  const config = getConfig();
  return config.NODE_ENV !== "production" || config.WEBHOOK_ALLOW_PRIVATE_URLS === "on";
}

const systemLookup = (hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function refuse(message: string): never {
  throw new AppError("validation_failed", message, { fields: { url: [message] } });
}

function parseWebhookUrl(value: string): URL {
  const text = value.trim();
  if (!text) refuse("Enter the endpoint's URL.");
  if (text.length > WEBHOOK_URL_MAX_LENGTH) refuse(`The URL must be at most ${WEBHOOK_URL_MAX_LENGTH} characters.`);
  const url = URL.parse(text);
  if (!url) refuse("Enter a full URL, such as https://api.example.com/webhooks.");
  if (url.protocol !== "https:" && url.protocol !== "http:") refuse("The URL must start with https:// or http://.");
  if (!url.hostname) refuse("The URL must name a host.");
  return url;
}

/** The URL's host as an address when it is one: "[::1]" -> "::1"; the URL parser already turned 0x7f.1 or 2130706433 into 127.0.0.1. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return net.isIP(host) ? host : null;
}

async function assertPublicHost(url: URL, options: UrlGuardOptions): Promise<void> {
  if (options.allowPrivate ?? privateUrlsAllowed()) return;
  const literal = literalAddress(url);
  const message = `${url.hostname} is a private or loopback address; webhooks only go to public addresses.`;
  if (literal) {
    if (!isPublicAddress(literal)) refuse(message);
    return;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.lookup ?? systemLookup)(url.hostname);
  } catch {
    refuse(`${url.hostname} could not be resolved. Check the host name.`);
  }
  if (addresses.length === 0) refuse(`${url.hostname} could not be resolved. Check the host name.`);
  // Every address: a name with one public and one private address would reach the private one half the time.
  const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
  if (blocked) refuse(`${url.hostname} resolves to ${blocked.address}, a private or loopback address; webhooks only go to public addresses.`);
}

/**
 * When an endpoint is saved: an http(s) URL of at most 2048 characters whose
 * host is public in production (see above). Returns the URL as stored
 * (normalised by the URL parser). Throws validation_failed with a field
 * error on "url".
 */
export async function assertWebhookUrlAllowed(value: string, options: UrlGuardOptions = {}): Promise<string> {
  const url = parseWebhookUrl(value);
  await assertPublicHost(url, options);
  return url.href;
}

/**
 * Before each delivery (lib/webhooks/delivery.ts): the same rule, with the
 * host resolved again at send time, so a name that was public when saved and
 * points inside the network now is refused. Throws like assertWebhookUrlAllowed.
 */
export async function assertDeliverableUrl(value: string, options: UrlGuardOptions = {}): Promise<void> {
  await assertPublicHost(parseWebhookUrl(value), options);
}
