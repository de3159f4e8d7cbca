import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { AVATAR_FIELD, AVATAR_MAX_BYTES, AVATAR_MESSAGES, removeAvatar, setAvatar } from "@/lib/users";

/** Room for the multipart envelope (boundaries, part headers) around a 2 MB file. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

const body = z.object({
  [AVATAR_FIELD]: z.instanceof(File, { message: AVATAR_MESSAGES.empty }),
});

/**
 * Uploads a profile picture (S7): multipart/form-data with the image in
 * `file`. The body is refused above 2 MB before it is read; the image is
 * sniffed, decoded and re-encoded by the domain (lib/users/avatar.ts).
 */
export const POST = handler(
  {
    body,
    multipart: {
      maxBytes: AVATAR_MAX_BYTES + MULTIPART_OVERHEAD_BYTES,
      tooLarge: { field: AVATAR_FIELD, message: AVATAR_MESSAGES.tooLarge },
    },
  },
  async ({ request, body }) => {
    const auth = await requireRequestAuth(request);
    const { ip, userAgent } = requestContext(request);
    const bytes = new Uint8Array(await body[AVATAR_FIELD].arrayBuffer());
    const profile = await setAvatar(auth.userId, bytes, { actorId: auth.actor?.sub ?? auth.userId, ip, userAgent });
    return json({ profile });
  },
);

/** Removes the picture: the generated initials show again. */
export const DELETE = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  const { ip, userAgent } = requestContext(request);
  const profile = await removeAvatar(auth.userId, { actorId: auth.actor?.sub ?? auth.userId, ip, userAgent });
  return json({ profile });
});
