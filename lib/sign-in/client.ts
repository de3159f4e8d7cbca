import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import type { Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";
import { getConfig } from "@/lib/config";
import { CLIENT_COOKIE } from "@/lib/edge";

/**
 * The browser's client row (S2), created before any session exists: an email
 * sign-in attempt belongs to the device that asked for it, so the confirm
 * page can tell "same device" from "other device" and only the original
 * device can pick up the session.
 */
export async function ensureClient(
  tx: Tx,
  clientToken: string | null,
  userAgent: string | null,
): Promise<{ clientId: string; newClientToken: string | null }> {
  const existing = clientToken
    ? await tx.client.findUnique({ where: { tokenHash: sha256(clientToken) }, select: { id: true } })
    : null;
  if (existing) return { clientId: existing.id, newClientToken: null };
  const newClientToken = randomToken(32);
  const client = await tx.client.create({
    data: { id: newId("client"), tokenHash: sha256(newClientToken), userAgent: userAgent?.slice(0, 512) },
  });
  return { clientId: client.id, newClientToken };
}

export function isSameClient(clientToken: string | null, clientTokenHash: string): boolean {
  return clientToken !== null && sha256(clientToken) === clientTokenHash;
}

/**
 * Sets only `__client` (no session yet), with the same flags lib/session uses
 * for it (S2). lib/session's setAuthCookies always sets `__session` too.
 */
export function setClientCookie(response: NextResponse, request: NextRequest, clientToken: string | null): void {
  if (!clientToken) return;
  const config = getConfig();
  response.cookies.set(CLIENT_COOKIE, clientToken, {
    httpOnly: true,
    secure: request.nextUrl.protocol === "https:" || (config.AUTH_URL?.startsWith("https:") ?? false),
    sameSite: "lax",
    path: "/",
    maxAge: config.AUTH_SESSION_MAX_AGE_DAYS * 86_400,
    ...(config.AUTH_COOKIE_DOMAIN ? { domain: config.AUTH_COOKIE_DOMAIN } : {}),
  });
}
