import type { BrowserContext, Cookie } from "@playwright/test";

export const CLIENT_COOKIE = "__client";
export const SESSION_COOKIE = "__session";

/** The named cookie as the browser holds it now (undefined when absent or expired). */
export async function getCookie(context: BrowserContext, name: string): Promise<Cookie | undefined> {
  const cookies = await context.cookies();
  return cookies.find((cookie) => cookie.name === name);
}

export type SessionTokenClaims = {
  sub: string;
  sid: string;
  iat: number;
  nbf?: number;
  exp: number;
  [claim: string]: unknown;
};

/** Decodes a JWT's payload without verifying it (tests only read exp/sub/sid). */
export function decodeJwtPayload(token: string): SessionTokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error(`Not a JWT: ${token.slice(0, 20)}...`);
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as SessionTokenClaims;
}

/** The current `__session` cookie and its decoded claims; fails when absent. */
export async function readSessionToken(context: BrowserContext): Promise<{ cookie: Cookie; claims: SessionTokenClaims }> {
  const cookie = await getCookie(context, SESSION_COOKIE);
  if (!cookie) throw new Error("No __session cookie in this browser context");
  return { cookie, claims: decodeJwtPayload(cookie.value) };
}

/** Sleeps until `exp` (seconds since the epoch) has passed, plus one second. */
export async function waitUntilExpired(exp: number): Promise<void> {
  const ms = Math.max(0, (exp - Date.now() / 1000 + 1) * 1000);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * For a context with no open page: waits until the session token it holds has
 * expired and returns it. A refresh sent just before the last page closed can
 * still land afterwards (the network service stores its Set-Cookie), leaving a
 * newer token than the one first read; so the wait repeats until the token read
 * after the wait is the one waited out.
 */
export async function waitOutLastSessionToken(context: BrowserContext): Promise<{ cookie: Cookie; claims: SessionTokenClaims }> {
  let token = await readSessionToken(context);
  for (;;) {
    await waitUntilExpired(token.claims.exp);
    const now = await getCookie(context, SESSION_COOKIE);
    if (!now || now.value === token.cookie.value) return token;
    token = { cookie: now, claims: decodeJwtPayload(now.value) };
  }
}

/** Reads the context's session token and waits until it has expired. Returns its claims. */
export async function waitOutSessionToken(context: BrowserContext): Promise<SessionTokenClaims> {
  const { claims } = await readSessionToken(context);
  await waitUntilExpired(claims.exp);
  return claims;
}

/**
 * Collects the raw Set-Cookie header lines the context receives, so attribute
 * checks (HttpOnly, SameSite, Path) see exactly what the server sent.
 */
export function recordSetCookies(context: BrowserContext): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  context.on("response", async (response) => {
    let headers: { name: string; value: string }[];
    try {
      headers = await response.headersArray();
    } catch {
      return; // response already disposed
    }
    for (const header of headers) {
      if (header.name.toLowerCase() !== "set-cookie") continue;
      for (const line of header.value.split("\n")) {
        const name = line.split("=", 1)[0].trim();
        seen.set(name, [...(seen.get(name) ?? []), line]);
      }
    }
  });
  return seen;
}
