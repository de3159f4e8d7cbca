import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { CLIENT_COOKIE, SESSION_COOKIE, portalRedirectUrl, type PortalSession } from "./verify-session";
import { appOrigin, portalUrl, verifySessionToken } from "./portal";

/**
 * The signed-in user in a server component, route handler or server action,
 * verified from `Authorization: Bearer` or the `__session` cookie (again:
 * proxy.ts is a gate in front of the app, not the only check). Null when
 * signed out or the token has expired.
 */
export async function getSession(): Promise<PortalSession | null> {
  const bearer = (await headers()).get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const result = await verifySessionToken(bearer ?? (await cookies()).get(SESSION_COOKIE)?.value);
  return result.ok ? result.session : null;
}

/** The signed-in user, or a redirect through the portal that comes back to `path` (a path of this app). */
export async function requireSession(path: string): Promise<PortalSession> {
  const session = await getSession();
  if (session) return session;
  const jar = await cookies();
  redirect(portalRedirectUrl({ portalUrl: portalUrl(), returnTo: new URL(path, appOrigin()).toString(), hasClientCookie: jar.has(CLIENT_COOKIE) }));
}
