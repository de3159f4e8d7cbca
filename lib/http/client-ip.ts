import proxyaddr from "proxy-addr";
import type { IncomingMessage } from "node:http";
import { parseTrustedProxies } from "./trusted-proxies.mjs";

type Env = Record<string, string | undefined>;

let cachedTrust: { value: string | undefined; trust: ReturnType<typeof parseTrustedProxies> } | undefined;

function trustFor(value: string | undefined) {
  if (!cachedTrust || cachedTrust.value !== value) cachedTrust = { value, trust: parseTrustedProxies(value) };
  return cachedTrust.trust;
}

/**
 * The client's IP for per-IP limits and audit rows (SPEC S10).
 *
 * - On Vercel: Vercel's own header, which its edge sets and overwrites.
 * - Elsewhere: the last X-Forwarded-For entry is the peer that connected to
 *   this server (scripts/server.mjs appends it, as a well-behaved proxy does;
 *   Next fills it when the header is absent). Walking right to left, the first
 *   address AUTH_TRUSTED_PROXIES does not trust is the client; with nothing
 *   trusted (the default) that is the socket address itself.
 */
export function resolveClientIp(headers: Headers, env: Env = process.env): string | null {
  if (env.VERCEL === "1") {
    return normalize(firstEntry(headers.get("x-vercel-forwarded-for")) ?? firstEntry(headers.get("x-real-ip")));
  }
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const socketAddress = hops.pop();
  // No entry: nothing served this request over a socket (a direct handler call in tests).
  if (!socketAddress) return null;
  // proxy-addr reads a Node request: the socket address plus the header as the client and proxies sent it.
  const request = { headers: { "x-forwarded-for": hops.join(", ") }, socket: { remoteAddress: socketAddress } };
  return normalize(proxyaddr(request as unknown as IncomingMessage, trustFor(env.AUTH_TRUSTED_PROXIES)));
}

function firstEntry(value: string | null): string | null {
  return value?.split(",")[0]?.trim() || null;
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) -> `127.0.0.1`, so one client has one rate-limit key. */
function normalize(address: string | null): string | null {
  if (!address) return null;
  return address.match(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i)?.[1] ?? address;
}
