import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { requireRecentVerification } from "@/lib/mfa";
import { getBrandLogo, LOGO_FIELD, LOGO_MAX_BYTES, LOGO_MESSAGES, removeBrandLogo, saveBrandLogo } from "@/lib/branding";

/** Room for the multipart envelope (boundaries, part headers) around a 1 MB file. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

const body = z.object({
  [LOGO_FIELD]: z.instanceof(File, { message: LOGO_MESSAGES.empty }),
});

/** The current logo for the admin settings screen: `{ logo: { url, width, height } | null }`. */
export const GET = handler({ authorize: requireAdminRequest }, async () => {
  return json({ logo: await getBrandLogo() });
});

/**
 * Uploads the instance logo (S8): multipart/form-data with the image in
 * `file`, refused above 1 MB before it is read; sniffed, decoded and
 * re-encoded by the domain (lib/branding). Admins, recently verified.
 */
export const POST = handler(
  {
    authorize: requireAdminRequest,
    body,
    multipart: {
      maxBytes: LOGO_MAX_BYTES + MULTIPART_OVERHEAD_BYTES,
      tooLarge: { field: LOGO_FIELD, message: LOGO_MESSAGES.tooLarge },
    },
  },
  async ({ request, body, auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    const bytes = new Uint8Array(await body[LOGO_FIELD].arrayBuffer());
    const logo = await saveBrandLogo(bytes, { actorId: auth.userId, ip, userAgent });
    return json({ logo });
  },
);

/** Removes the logo: the default mark shows again. */
export const DELETE = handler({ authorize: requireAdminRequest }, async ({ request, auth }) => {
  await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
  const { ip, userAgent } = requestContext(request);
  await removeBrandLogo({ actorId: auth.userId, ip, userAgent });
  return json({ logo: null });
});
