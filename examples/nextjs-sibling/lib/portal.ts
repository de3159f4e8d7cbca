// This app's link to the portal, from the environment. Shared by proxy.ts and server code.
import { createSessionVerifier, type VerifyResult } from "./verify-session";

/** The portal's public origin (its AUTH_URL), e.g. https://auth.example.com. */
export function portalUrl(): string {
  const value = process.env.PORTAL_URL;
  if (!value) throw new Error("Set PORTAL_URL to the portal's public origin (its AUTH_URL), e.g. https://auth.example.com");
  return new URL(value).origin;
}

/** This app's public origin (e.g. https://app.example.com): where the portal sends the browser back to. */
export function appOrigin(requestUrl?: string | URL): string {
  const configured = process.env.APP_URL;
  if (configured) return new URL(configured).origin;
  if (requestUrl) return new URL(requestUrl).origin;
  throw new Error("Set APP_URL to this app's public origin, e.g. https://app.example.com");
}

let verifier: ((token: string | undefined) => Promise<VerifyResult>) | undefined;

/** One verifier per process, so the JWKS is fetched once and cached for every request. */
export function verifySessionToken(token: string | undefined): Promise<VerifyResult> {
  verifier ??= createSessionVerifier({
    portalUrl: portalUrl(),
    jwksUrl: process.env.PORTAL_JWKS_URL || undefined,
    authorizedParties: process.env.AUTHORIZED_PARTIES ? process.env.AUTHORIZED_PARTIES.split(",").map((origin) => origin.trim()) : undefined,
  });
  return verifier(token);
}
