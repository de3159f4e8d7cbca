import type { NextRequest } from "next/server";
import { cachedImageResponse, errorResponse } from "@/lib/http";
import { getServedAvatar } from "@/lib/users";

/**
 * A user's profile picture (S7), public so `<img>` here and in other apps
 * can load it: the upload (WebP, re-encoded, no metadata), else the generated
 * initials SVG. Strong ETag, 304 on If-None-Match.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ userId: string }> }): Promise<Response> {
  try {
    const { userId } = await params;
    const avatar = await getServedAvatar(userId);
    return cachedImageResponse(request, avatar, {
      // Opened directly, an SVG is a document: give it nothing to run or load.
      "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
    });
  } catch (error) {
    return errorResponse(error);
  }
}
