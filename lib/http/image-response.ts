/**
 * Responses for stored images served by URL (avatars S7, the logo S8): a
 * strong ETag with 304 on If-None-Match, cached for good when the URL names
 * the current version (`?v=<etag>`), else briefly and then revalidated.
 */

/** Cache a URL for good only when it names the current version: the content at it never changes. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Unversioned (or an outdated version): a short cache, then a cheap revalidation by ETag. */
const SHORT = "public, max-age=300, stale-while-revalidate=60";

/** Does If-None-Match name this ETag? (Weak comparison, as RFC 9110 asks for If-None-Match.) */
export function ifNoneMatchHits(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

export type StoredImage = { body: Uint8Array; contentType: string; etag: string };

/** 200 with the image, or 304 when the client's copy is current. `headers` adds to (or overrides) the defaults. */
export function cachedImageResponse(request: Request, image: StoredImage, headers: Record<string, string> = {}): Response {
  const etag = `"${image.etag}"`;
  const version = new URL(request.url).searchParams.get("v");
  const responseHeaders = new Headers({
    ETag: etag,
    "Cache-Control": version !== null && version === image.etag ? IMMUTABLE : SHORT,
    "Content-Type": image.contentType,
    // Shown by other apps' pages too: allow cross-origin <img> even under their COEP.
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    ...headers,
  });
  if (ifNoneMatchHits(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers: responseHeaders });
  responseHeaders.set("Content-Length", String(image.body.byteLength));
  return new Response(image.body as Uint8Array<ArrayBuffer>, { status: 200, headers: responseHeaders });
}
