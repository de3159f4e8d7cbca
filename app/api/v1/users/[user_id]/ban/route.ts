import { apiHandler, banUserFromApi, V1 } from "@/lib/api";

/** POST /api/v1/users/{user_id}/ban: no sign-in, every session revoked (S9). */
export const POST = apiHandler(V1.banUser, async ({ params, actor }) => banUserFromApi(params.user_id, actor));
