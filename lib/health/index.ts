import "server-only";
import { db } from "@/lib/db";
import { getActiveSigningKey } from "@/lib/session";

type CheckStatus = "ok" | "error";
export type HealthReport = { status: CheckStatus; checks: Record<string, { status: CheckStatus; detail?: string }> };

/** Database reachable and signing key loadable. Mail and rate-limit stores join as they land. */
export async function checkHealth(): Promise<HealthReport> {
  const checks: HealthReport["checks"] = {};
  try {
    await db.$queryRaw`SELECT 1`;
    checks.database = { status: "ok" };
  } catch {
    checks.database = { status: "error", detail: "Database unreachable" };
  }
  try {
    await getActiveSigningKey();
    checks.signingKey = { status: "ok" };
  } catch {
    checks.signingKey = { status: "error", detail: "Signing key unavailable (check AUTH_SECRET)" };
  }
  const status = Object.values(checks).every((check) => check.status === "ok") ? "ok" : "error";
  return { status, checks };
}
