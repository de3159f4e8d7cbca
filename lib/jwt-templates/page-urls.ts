import "server-only";
import { headers } from "next/headers";
import { getConfig } from "@/lib/config";
import { resolveIssuer } from "@/lib/edge";

export type IntegrationUrls = { issuer: string; jwksUrl: string; discoveryUrl: string };

/**
 * The URLs other services are configured with (S9), for admin pages: the
 * issuer exactly as tokens carry it (AUTH_URL's origin; in development the
 * origin the page was asked on), the JWKS and the OpenID discovery document.
 */
export async function integrationUrls(): Promise<IntegrationUrls> {
  const list = await headers();
  const first = (name: string) => list.get(name)?.split(",")[0]?.trim() || undefined;
  const host = first("x-forwarded-host") ?? first("host") ?? "localhost:3000";
  const proto = first("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  const issuer = resolveIssuer(`${proto}://${host}`, getConfig().AUTH_URL);
  return { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, discoveryUrl: `${issuer}/.well-known/openid-configuration` };
}
