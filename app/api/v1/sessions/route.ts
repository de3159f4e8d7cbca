import { apiHandler, listSessionResources, V1 } from "@/lib/api";

/** GET /api/v1/sessions?user_id=: a user's sessions, newest first (S9). */
export const GET = apiHandler(V1.listSessions, async ({ query }) =>
  listSessionResources({ userId: query.user_id, status: query.status, cursor: query.cursor, limit: query.limit }),
);
