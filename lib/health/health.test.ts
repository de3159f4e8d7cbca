import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { newId } from "@/lib/ids";
import { STUCK_AFTER_MS } from "@/lib/email";
import { GET } from "@/app/api/health/route";
import { makeRequest } from "@/test/http";
import { checkHealth } from "./index";

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  delete process.env.DEV_INBOX;
  resetConfigCache();
});

describe("health", () => {
  it("reports database, signing key, mail and rate-limit store", async () => {
    const response = await GET(makeRequest("/api/health"));
    const body = await response.json();
    expect(Object.keys(body.checks).sort()).toEqual(["database", "mail", "rateLimit", "signingKey"]);
    expect(body.checks.database.status).toBe("ok");
    expect(body.checks.signingKey.status).toBe("ok");
    expect(body.checks.rateLimit.status).toBe("ok");
  });

  it("turns unhealthy (503) when a message has waited in the outbox too long", async () => {
    const id = newId("outbox");
    await db.outboxMessage.create({
      data: {
        id,
        channel: "email",
        to: "stuck@example.com",
        template: "verification",
        payload: {},
        status: "pending",
        createdAt: new Date(Date.now() - STUCK_AFTER_MS - 60_000),
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      },
    });
    try {
      const report = await checkHealth();
      expect(report.checks.mail!.status).toBe("error");
      expect(report.status).toBe("error");
      expect((await GET(makeRequest("/api/health"))).status).toBe(503);
    } finally {
      await db.outboxMessage.delete({ where: { id } });
    }
  });

  it("reports mail as not configured (503) in production without SMTP_URL, unless DEV_INBOX=on", async () => {
    (process.env as Record<string, string>).NODE_ENV = "production";
    delete process.env.SMTP_URL;
    resetConfigCache();
    const report = await checkHealth();
    expect(report.checks.mail).toEqual({ status: "error", detail: expect.stringMatching(/not configured.*SMTP_URL/) });
    expect((await GET(makeRequest("/api/health"))).status).toBe(503);

    // The explicit test mode (scripts/e2e.mjs): the dev inbox is the mail transport.
    process.env.DEV_INBOX = "on";
    resetConfigCache();
    expect((await checkHealth()).checks.mail!.status).toBe("ok");
  });
});
