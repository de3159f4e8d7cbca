import "server-only";
import { headers } from "next/headers";
import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { getConfig } from "@/lib/config";

/** The origins this instance answers on: AUTH_URL when set, else the request's own. */
export function instanceOrigins(request: NextRequest): string[] {
  const configured = getConfig().AUTH_URL;
  return configured ? [new URL(configured).origin] : [request.nextUrl.origin];
}

/**
 * CSRF defence for state-changing browser requests (S10). Browsers send Origin
 * on every POST; one that is not ours is refused. A request without Origin is
 * accepted only when the browser itself vouches for it with
 * `Sec-Fetch-Site: same-origin`; anything else (an old browser, a proxy that
 * strips Origin, a script) is refused rather than guessed at. Machine
 * endpoints authenticated by a bearer secret opt out in lib/http/handler.ts.
 */
export function assertSameOrigin(request: NextRequest): void {
  const origin = request.headers.get("origin");
  if (origin) {
    if (!instanceOrigins(request).includes(origin)) throw new AppError("origin_mismatch", "Cross-origin request refused.");
    return;
  }
  if (request.headers.get("sec-fetch-site") !== "same-origin") {
    throw new AppError("origin_mismatch", "Cross-origin request refused: the request did not say where it came from.");
  }
}

/**
 * The same check for server actions (S10): call it first in every "use server"
 * function (security/csrf.security.test.ts fails for a file that does not).
 * Next.js already compares Origin with Host for actions; this pins it to the
 * instance origin (AUTH_URL) like the route handlers.
 */
export async function assertSameOriginAction(): Promise<void> {
  const list = await headers();
  const origin = list.get("origin");
  const configured = getConfig().AUTH_URL;
  const host = list.get("x-forwarded-host") ?? list.get("host");
  const protocol = list.get("x-forwarded-proto") ?? "https";
  const allowed = configured ? new URL(configured).origin : host ? `${protocol}://${host}` : null;
  if (!origin || origin !== allowed) throw new AppError("origin_mismatch", "Cross-origin request refused.");
}
