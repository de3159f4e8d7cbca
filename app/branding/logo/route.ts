import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { cachedImageResponse, errorResponse } from "@/lib/http";
import { getServedBrandLogo } from "@/lib/branding";

/**
 * The instance logo (S8, S11), public: the sign-in page, emails and other
 * apps show it. A re-encoded PNG; strong ETag, 304 on If-None-Match, cached
 * for good at its versioned URL (`?v=<etag>`). 404 without a logo.
 */
export async function GET(request: NextRequest): Promise<Response> {
  try {
    const logo = await getServedBrandLogo();
    if (!logo) throw new AppError("not_found", "No logo is set.");
    // Opened directly it is a picture, nothing else: no script, nothing loaded.
    return cachedImageResponse(request, logo, { "Content-Security-Policy": "default-src 'none'; sandbox" });
  } catch (error) {
    return errorResponse(error);
  }
}
