import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam, updateUserMetadataAsAdmin } from "@/lib/admin";
import { handler, json, safeText } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

// Each kind is checked by the domain (a JSON object of at most 8 KB, errors under its own name).
const body = z.strictObject({
  publicMetadata: z.unknown().optional(),
  privateMetadata: z.unknown().optional(),
  unsafeMetadata: z.unknown().optional(),
  expectedVersion: safeText({ max: 64, label: "Version" }).optional(),
});

/** Three 8 KB objects and their JSON punctuation. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Replaces public, private and/or unsafe metadata (S8). `expectedVersion` is
 * the `metadataVersion` the editor loaded: 409 when the metadata changed since.
 */
export async function PATCH(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body, maxBodyBytes: MAX_BODY_BYTES }, async ({ request, body, auth }) => {
    const { ip, userAgent } = requestContext(request);
    return json(await updateUserMetadataAsAdmin({ userId: parseUserIdParam(userId), ...body }, { actorId: auth.userId, ip, userAgent }));
  })(request);
}

/** The same as PATCH, for clients that only POST (the page's own helper). */
export const POST = PATCH;
