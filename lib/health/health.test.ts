import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { newId } from "@/lib/ids";
import { STUCK_AFTER_MS } from "@/lib/email";
import { GET } from "@/app/api/health/route";
import { GET as live } from "@/app/api/health/live/route";
import { GET as ready } from "@/app/api/health/ready/route";
import { resetLifecycleForTests, shutDown } from "@/lib/lifecycle";
import { makeRequest } from "@/test/http";
import { checkHealth } from "./index";

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  delete process.env.DEV_INBOX;
  resetConfigCache();
});

describe("liveness and readiness (issue 17)", () => {
  afterEach(() => resetLifecycleForTests());

  it("is live and ready while it serves; ready turns 503 once it shuts down, live stays 200", async () => {
    expect((await live(makeRequest("/api/health/live"))).status).toBe(200);
    const ok = await ready(makeRequest("/api/health/ready"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", checks: { database: { status: "ok" }, signingKey: { status: "ok" }, process: { status: "ok" } } });

    await shutDown({ waitMs: 1_000 });
    const draining = await ready(makeRequest("/api/health/ready"));
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: "error", checks: { process: { status: "error", detail: "Shutting down" } } });
    expect((await live(makeRequest("/api/health/live"))).status).toBe(200);
  });
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
