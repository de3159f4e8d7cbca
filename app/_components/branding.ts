import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { connection } from "next/server";
import { DEFAULT_BRAND_COLOR, getBranding, type Branding } from "@/lib/branding";
import { INSTANCE_NAME } from "./instance";

/**
 * The instance's branding for the page being rendered (S8, S11): read once
 * per request (React cache) from the settings and logo caches. Pages are
 * rendered per request anyway (the CSP nonce); `connection()` says so, which
 * also keeps a build from reading the database. If the database cannot be
 * read, the page still renders with the environment's name and the default
 * colour: the error pages live under this layout too.
 */
export const pageBranding = cache(async (): Promise<Branding> => {
  await connection();
  try {
    return await getBranding();
  } catch (error) {
    console.error("[branding] could not read the branding; using the defaults", error);
    return { instanceName: INSTANCE_NAME, brandColor: DEFAULT_BRAND_COLOR, theme: "system", logoUrl: null, logoSize: null };
  }
});

/**
 * This request's CSP nonce (middleware puts the CSP on the request headers;
 * lib/edge/security-headers.ts), for a <style> element the production CSP
 * would otherwise refuse. Undefined in development, whose CSP allows inline styles.
 */
export async function requestNonce(): Promise<string | undefined> {
  const csp = (await headers()).get("content-security-policy");
  return csp?.match(/'nonce-([A-Za-z0-9+/=_-]+)'/)?.[1];
}
