import { z } from "zod";
import { flagParam, instantParam, searchUsers, USER_SEARCH_MAX_LIMIT, USER_SEARCH_MAX_QUERY_LENGTH } from "@/lib/admin";
import { handler, json, safeText } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";

const query = z.object({
  query: safeText({ max: USER_SEARCH_MAX_QUERY_LENGTH, label: "Search" }).optional(),
  banned: flagParam.optional(),
  locked: flagParam.optional(),
  mfa: flagParam.optional(),
  createdFrom: instantParam({ endOfDay: false }).optional(),
  createdTo: instantParam({ endOfDay: true }).optional(),
  sort: z.enum(["created_desc", "created_asc", "last_sign_in_desc"], { error: "Sort by created_desc, created_asc or last_sign_in_desc." }).optional(),
  cursor: safeText({ max: 500, label: "Cursor" }).optional(),
  limit: z.coerce.number({ error: "Limit must be a number." }).int().min(1).max(USER_SEARCH_MAX_LIMIT).optional(),
});

/**
 * Users (S8): `?query=&banned=&locked=&mfa=&createdFrom=&createdTo=&sort=&cursor=&limit=`.
 * `createdTo` is exclusive; a bare day includes that whole day.
 */
export const GET = handler({ authorize: requireAdminRequest, query }, async ({ query }) => {
  return json(await searchUsers({ ...query, cursor: query.cursor ?? null }));
});
