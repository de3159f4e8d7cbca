import "server-only";
import { createActorToken, revokeActorToken, type ActorTokenSummary } from "@/lib/sign-in";
import type { ApiActor } from "../handler";

/** Actor tokens (lib/sign-in/actor-tokens.ts) as the API shows them; `token` and `url` only when created. */
function toActorTokenResource(token: ActorTokenSummary & { token?: string; url?: string }) {
  return {
    object: "actor_token" as const,
    id: token.id,
    status: token.status,
    user_id: token.userId,
    actor: { sub: token.actorId },
    token: token.token ?? null,
    url: token.url ?? null,
    created_at: token.createdAt.getTime(),
    expires_at: token.expiresAt.getTime(),
  };
}

export async function createActorTokenFromApi(
  input: { userId: string; actorId: string; expiresInSeconds: number; origin: string },
  actor: ApiActor,
) {
  return toActorTokenResource(await createActorToken(input, { apiKeyId: actor.actorId, ip: actor.ip, userAgent: actor.userAgent }));
}

export async function revokeActorTokenFromApi(actorTokenId: string, actor: ApiActor) {
  return toActorTokenResource(await revokeActorToken(actorTokenId, { apiKeyId: actor.actorId, ip: actor.ip, userAgent: actor.userAgent }));
}
