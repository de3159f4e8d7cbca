import { handler, json } from "@/lib/http";
import { checkReadiness } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Readiness (issue 17): 200 while this instance can serve requests, 503 when its database is unreachable or it is shutting down. */
export const GET = handler({}, async () => {
  const report = await checkReadiness();
  return json(report, { status: report.status === "ok" ? 200 : 503 });
});
