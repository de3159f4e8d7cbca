import "server-only";
import { hasPreviousAuthSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { getActiveSigningKey, SigningKeyUnreadableError } from "@/lib/session";
import { rateLimitStoreStatus } from "@/lib/ratelimit";
import { mailStatus } from "@/lib/email";
import { getInstanceSettings } from "@/lib/settings";
import { smsStatus } from "@/lib/sms";
import { isShuttingDown } from "@/lib/lifecycle";

type CheckStatus = "ok" | "error";
export type HealthReport = { status: CheckStatus; checks: Record<string, { status: CheckStatus; detail?: string }> };

/** What a request needs to be served: the database and the signing key. */
async function checkServingDependencies(checks: HealthReport["checks"]): Promise<void> {
  try {
    await db.$queryRaw`SELECT 1`;
    checks.database = { status: "ok" };
  } catch {
    checks.database = { status: "error", detail: "Database unreachable" };
  }
  try {
    await getActiveSigningKey();
    // A reminder, not a failure: the rotation's last steps (docs/security.md, "Rotating AUTH_SECRET").
    checks.signingKey = hasPreviousAuthSecret()
      ? { status: "ok", detail: "AUTH_SECRET_PREVIOUS is set: once `npm run admin -- reseal-secrets` has run, remove it" }
      : { status: "ok" };
  } catch (error) {
    // An unreadable key's message names the fix; any other failure (the database) gets the general hint.
    const detail = error instanceof SigningKeyUnreadableError ? error.message : "Signing key unavailable (check AUTH_SECRET)";
    checks.signingKey = { status: "error", detail };
  }
}

const overall = (checks: HealthReport["checks"]): CheckStatus => (Object.values(checks).every((check) => check.status === "ok") ? "ok" : "error");

/**
 * Readiness (`/api/health/ready`, issue 17): whether a load balancer should
 * send this instance requests now. Not ready while the database is down (it
 * comes back by itself; the process is not dead, see liveness) or once the
 * process is shutting down.
 */
export async function checkReadiness(): Promise<HealthReport> {
  const checks: HealthReport["checks"] = {};
  await checkServingDependencies(checks);
  checks.process = isShuttingDown() ? { status: "error", detail: "Shutting down" } : { status: "ok" };
  return { status: overall(checks), checks };
}

/** Database reachable, signing key loadable, mail (and, when on, SMS) outbox draining, rate-limit store answering (S12). */
export async function checkHealth(): Promise<HealthReport> {
  const checks: HealthReport["checks"] = {};
  await checkServingDependencies(checks);
  try {
    const mail = await mailStatus();
    const summary = `${mail.transport === "smtp" ? "SMTP" : "dev inbox"}; ${mail.pending} pending, ${mail.failed} failed`;
    checks.mail = !mail.configured
      ? { status: "error", detail: "Mail not configured: set SMTP_URL (production has no dev inbox unless DEV_INBOX=on)" }
      : mail.healthy
        ? { status: "ok", detail: summary }
        : { status: "error", detail: `${summary}; oldest pending ${mail.oldestPendingSeconds} s (is the outbox being drained?)` };
  } catch {
    checks.mail = { status: "error", detail: "Mail outbox unreadable" };
  }
  // Text messages only matter once an admin turned SMS codes on (S6, off by default).
  if ((await getInstanceSettings().catch(() => null))?.smsSecondFactor) {
    try {
      const sms = await smsStatus();
      const summary = `${sms.transport === "twilio" ? "Twilio" : "dev outbox"}; ${sms.pending} pending, ${sms.failed} failed`;
      checks.sms = sms.error
        ? { status: "error", detail: `SMS misconfigured: ${sms.error}` }
        : sms.healthy
          ? { status: "ok", detail: summary }
          : { status: "error", detail: `${summary}; oldest pending ${sms.oldestPendingSeconds} s` };
    } catch {
      checks.sms = { status: "error", detail: "SMS outbox unreadable" };
    }
  }
  const rateLimit = await rateLimitStoreStatus();
  checks.rateLimit = rateLimit.ok
    ? { status: "ok", detail: rateLimit.enabled ? `${rateLimit.store} store` : "disabled (RATE_LIMIT=off)" }
    : { status: "error", detail: `${rateLimit.store} store unreachable` };
  return { status: overall(checks), checks };
}
