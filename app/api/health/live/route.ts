import { handler, json } from "@/lib/http";

export const dynamic = "force-dynamic";

/**
 * Liveness (issue 17): the process answers. Touches nothing else, so a
 * database restart never gets a healthy instance killed; readiness
 * (`/api/health/ready`) says whether to send it traffic.
 */
export const GET = handler({}, async () => json({ status: "ok" }));
