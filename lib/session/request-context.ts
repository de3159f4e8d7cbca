import "server-only";
import type { NextRequest } from "next/server";
import { resolveIssuer } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { clientIp } from "@/lib/http/request-info";
import type { RequestContext } from "./sessions";
import { readDeviceCookie } from "./cookies";

/** The request facts session operations need, read once from a route handler's request. */
export function requestContext(request: NextRequest): RequestContext {
  const issuer = resolveIssuer(request.nextUrl.origin, getConfig().AUTH_URL);
  return {
    ip: clientIp(request),
    userAgent: request.headers.get("user-agent"),
    issuer,
    authorizedParty: request.headers.get("origin") ?? issuer,
    deviceToken: readDeviceCookie(request),
  };
}
