import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { getAccountProfile, profileChangesSchema, updateProfile } from "@/lib/users";

/** The signed-in user's profile (S7): names, username, picture. */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  const profile = await getAccountProfile(auth.userId);
  if (!profile) throw new AppError("unauthenticated", "Sign in to continue.");
  return json({ profile });
});

/** Saves first name, last name and username in one request; fields left out stay as they are. */
export const PATCH = handler({ body: profileChangesSchema }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  const { ip, userAgent } = requestContext(request);
  const profile = await updateProfile(auth.userId, body, { actorId: auth.actor?.sub ?? auth.userId, ip, userAgent });
  return json({ profile });
});

/** The same as PATCH, for clients that only POST (the page's own helper). */
export const POST = PATCH;
