import "server-only";
import dns from "node:dns";
import net from "node:net";
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

/** Addresses a webhook must not reach in production; IPv4 rules also match their IPv4-mapped IPv6 forms (::ffff:a.b.c.d). */
const NON_PUBLIC_IPV4: readonly [network: string, prefix: number][] = [
  ["0.0.0.0", 8], // "this network", 0.0.0.0
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // CGNAT (shared address space)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, incl. the cloud metadata service 169.254.169.254
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast 255.255.255.255
];

const NON_PUBLIC_IPV6: readonly [network: string, prefix: number][] = [
  ["::", 96], // unspecified ::, loopback ::1 and the deprecated IPv4-compatible ::a.b.c.d
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo: tunnels to an IPv4 address chosen by whoever wrote the URL
  ["2002::", 16], // 6to4: likewise
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const nonPublic = new net.BlockList();
for (const [network, prefix] of NON_PUBLIC_IPV4) {
  nonPublic.addSubnet(network, prefix, "ipv4");
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address: refuse the same ranges there.
  nonPublic.addSubnet(`64:ff9b::${network}`, 96 + prefix, "ipv6");
}
for (const [network, prefix] of NON_PUBLIC_IPV6) nonPublic.addSubnet(network, prefix, "ipv6");

/** Whether a literal IP address is a public unicast one (false for anything else, including non-addresses). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return !nonPublic.check(address, family === 4 ? "ipv4" : "ipv6");
}

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

/**
 * A `lookup` for the delivery's socket (http.request's `lookup` option):
 * resolves the host as dns.lookup does and refuses to connect when any
 * address is not public (unless allowed, as above). assertDeliverableUrl
 * checked the name a moment earlier; this makes the address connected to the
 * address checked, so a DNS answer that changes in between (rebinding)
 * reaches nothing. IP literals never come here: the URL check covers them.
 */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const blocked = privateUrlsAllowed() ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked || addresses.length === 0) {
      const refusal: NodeJS.ErrnoException = new Error(
        blocked ? `${hostname} resolves to ${blocked.address}, a private or loopback address; webhooks only go to public addresses.` : `${hostname} could not be resolved.`,
      );
      refusal.code = blocked ? "EWEBHOOKPRIVATE" : "ENOTFOUND";
      return callback(refusal, "", 0);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
