import type { NextRequest } from "next/server";
import { resolveClientIp } from "./client-ip";

/** The client IP by the trusted-proxy setting (AUTH_TRUSTED_PROXIES; Vercel's header on Vercel): lib/http/client-ip.ts. */
export function clientIp(request: NextRequest): string | null {
  return resolveClientIp(request.headers);
}
