import { apiHandler, unbanUserFromApi, V1 } from "@/lib/api";

/** POST /api/v1/users/{user_id}/unban (S9). */
export const POST = apiHandler(V1.unbanUser, async ({ params, actor }) => unbanUserFromApi(params.user_id, actor));
