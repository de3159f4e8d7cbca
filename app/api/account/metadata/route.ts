import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { getUserMetadata, metadataObjectSchema, updateUnsafeMetadata } from "@/lib/users";

/** The signed-in user's public and unsafe metadata (S7). Private metadata never leaves the backend. */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json(await getUserMetadata(auth.userId));
});

const body = z.strictObject({ unsafeMetadata: metadataObjectSchema });

/** Replaces `unsafeMetadata` (a JSON object, at most 8 KB); the only metadata a user may write. */
export const PATCH = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  const { ip, userAgent } = requestContext(request);
  return json(await updateUnsafeMetadata(auth.userId, body.unsafeMetadata, { actorId: auth.actor?.sub ?? auth.userId, ip, userAgent }));
});
