import { handler, json } from "@/lib/http";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Liveness and dependency status for load balancers and uptime checks (S12). */
export const GET = handler({}, async () => {
  const report = await checkHealth();
  return json(report, { status: report.status === "ok" ? 200 : 503 });
});
