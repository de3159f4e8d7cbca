import { apiHandler, createActorTokenFromApi, V1 } from "@/lib/api";
import { requestContext } from "@/lib/session";

/** POST /api/v1/actor_tokens: an impersonation link for a support tool (S9). */
export const POST = apiHandler(V1.createActorToken, async ({ request, body, actor }) =>
  createActorTokenFromApi(
    { userId: body.user_id, actorId: body.actor.sub, expiresInSeconds: body.expires_in_seconds, origin: requestContext(request).issuer },
    actor,
  ),
);
