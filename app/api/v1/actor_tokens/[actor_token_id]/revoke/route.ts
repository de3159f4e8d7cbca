import { apiHandler, revokeActorTokenFromApi, V1 } from "@/lib/api";

/** POST /api/v1/actor_tokens/{actor_token_id}/revoke: the link stops working (S9). */
export const POST = apiHandler(V1.revokeActorToken, async ({ params, actor }) => revokeActorTokenFromApi(params.actor_token_id, actor));
