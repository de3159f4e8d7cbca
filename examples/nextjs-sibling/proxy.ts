// Next.js 16 proxy (on Next 15, name this file middleware.ts and the function `middleware`).
// Every page except PUBLIC_PATHS needs a valid portal session token.
import { NextResponse, type NextRequest } from "next/server";
import { CLIENT_COOKIE, SESSION_COOKIE, portalRedirectUrl } from "./lib/verify-session";
import { appOrigin, portalUrl, verifySessionToken } from "./lib/portal";

const PUBLIC_PATHS = new Set(["/"]);

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PATHS.has(pathname)) return NextResponse.next();

  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const result = await verifySessionToken(bearer ?? request.cookies.get(SESSION_COOKIE)?.value);
  if (result.ok) return NextResponse.next();
  if (result.reason === "unavailable") return new NextResponse("Sign-in is unavailable for a moment. Try again shortly.", { status: 503 });

  // APIs and non-GET requests answer 401; client code reloads the page, which comes back through here as a GET.
  if (pathname.startsWith("/api/") || request.method !== "GET") {
    return NextResponse.json(
      { error: result.reason === "missing" ? "unauthenticated" : "invalid_token" },
      { status: 401, headers: { "WWW-Authenticate": result.reason === "missing" ? 'Bearer realm="app"' : 'Bearer error="invalid_token"' } },
    );
  }
  // A page: through the portal's handshake (expired token, session alive) or sign-in, then back here.
  const returnTo = `${appOrigin(request.url)}${pathname}${search}`;
  return NextResponse.redirect(portalRedirectUrl({ portalUrl: portalUrl(), returnTo, hasClientCookie: request.cookies.has(CLIENT_COOKIE) }));
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
