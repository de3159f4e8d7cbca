import { apiHandler, revokeSessionFromApi, V1 } from "@/lib/api";

/** POST /api/v1/sessions/{session_id}/revoke (S9). */
export const POST = apiHandler(V1.revokeSession, async ({ params, actor }) => revokeSessionFromApi(params.session_id, actor));
