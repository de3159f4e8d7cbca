// Which addresses a webhook may reach (S9, S10 SSRF), shared by url-guard.ts
// (on the request thread) and send-worker.mjs (the thread that opens the
// delivery sockets). Plain JS ESM on purpose: the worker is loaded as a file
// of its own (see send-worker.mjs) and can only import JavaScript.
import dns from "node:dns";
import net from "node:net";

/** Addresses a webhook must not reach in production; IPv4 rules also match their IPv4-mapped IPv6 forms (::ffff:a.b.c.d). */
const NON_PUBLIC_IPV4 = [
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

const NON_PUBLIC_IPV6 = [
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

/**
 * Whether a literal IP address is a public unicast one (false for anything else, including non-addresses).
 * @param {string} address
 * @returns {boolean}
 */
export function isPublicAddress(address) {
  const family = net.isIP(address);
  if (family === 0) return false;
  return !nonPublic.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * A socket `lookup` (undici's connect.lookup, http.request's lookup): resolves
 * the host as dns.lookup does and, unless `allowPrivate`, refuses to connect
 * when any address is not public. The URL was checked a moment earlier; this
 * makes the address connected to the address checked, so a DNS answer that
 * changes in between (rebinding) reaches nothing. IP literals never come
 * here: the URL check covers them.
 * @param {boolean} allowPrivate
 * @returns {import("node:net").LookupFunction}
 */
export function publicOnlyLookup(allowPrivate) {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const blocked = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
      if (blocked || addresses.length === 0) {
        /** @type {NodeJS.ErrnoException} */
        const refusal = new Error(
          blocked ? `${hostname} resolves to ${blocked.address}, a private or loopback address; webhooks only go to public addresses.` : `${hostname} could not be resolved.`,
        );
        refusal.code = blocked ? "EWEBHOOKPRIVATE" : "ENOTFOUND";
        return callback(refusal, "", 0);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
