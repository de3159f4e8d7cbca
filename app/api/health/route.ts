import { handler, json } from "@/lib/http";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Every dependency's status for uptime checks (S12); load balancers use /api/health/ready and /api/health/live. */
export const GET = handler({}, async () => {
  const report = await checkHealth();
  return json(report, { status: report.status === "ok" ? 200 : 503 });
});
