import { z } from "zod";
import { AUDIT_PAGE_MAX_LIMIT, auditFilterParams, listAuditEvents } from "@/lib/admin";
import { handler, json, safeText } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";

const query = auditFilterParams.extend({
  cursor: safeText({ max: 500, label: "Cursor" }).optional(),
  limit: z.coerce.number({ error: "Limit must be a number." }).int().min(1).max(AUDIT_PAGE_MAX_LIMIT).optional(),
});

/** The audit log (S8), newest first: `?type=&actorId=&targetId=&from=&to=&cursor=&limit=`. */
export const GET = handler({ authorize: requireAdminRequest, query }, async ({ query }) => {
  return json(await listAuditEvents({ ...query, cursor: query.cursor ?? null }));
});
