import type { NextRequest } from "next/server";
import { errorResponse } from "@/lib/http";
import { getServedAvatar } from "@/lib/users";

/** Cache a URL for good only when it names the current version (`?v=<etag>`): the content at it never changes. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Unversioned (or an outdated version): a short cache, then a cheap revalidation by ETag. */
const SHORT = "public, max-age=300, stale-while-revalidate=60";

/** Does If-None-Match name this ETag? (Weak comparison, as RFC 9110 asks for If-None-Match.) */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * A user's profile picture (S7), public so `<img>` here and in other apps
 * can load it: the upload (WebP, re-encoded, no metadata), else the generated
 * initials SVG. Strong ETag, 304 on If-None-Match.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ userId: string }> }): Promise<Response> {
  try {
    const { userId } = await params;
    const avatar = await getServedAvatar(userId);
    const etag = `"${avatar.etag}"`;
    const version = request.nextUrl.searchParams.get("v");
    const headers = new Headers({
      ETag: etag,
      "Cache-Control": version !== null && version === avatar.etag ? IMMUTABLE : SHORT,
      "Content-Type": avatar.contentType,
      // Shown by other apps' pages too: allow cross-origin <img> even under their COEP.
      "Cross-Origin-Resource-Policy": "cross-origin",
      "X-Content-Type-Options": "nosniff",
      // Opened directly, an SVG is a document: give it nothing to run or load.
      "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
      "Content-Disposition": "inline",
    });
    if (matches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
    headers.set("Content-Length", String(avatar.body.byteLength));
    return new Response(avatar.body as Uint8Array<ArrayBuffer>, { status: 200, headers });
  } catch (error) {
    return errorResponse(error);
  }
}
