import { auditEventsCsv, auditFilterParams } from "@/lib/admin";
import { handler } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";

/** The filtered audit log as CSV (S8), streamed batch by batch while the browser downloads it. */
export const GET = handler({ authorize: requireAdminRequest, query: auditFilterParams }, async ({ query }) => {
  return new Response(auditEventsCsv(query), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": "attachment; filename=audit-log.csv",
      "cache-control": "no-store",
    },
  });
});
