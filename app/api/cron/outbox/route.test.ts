import { afterEach, describe, expect, it } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { makeRequest } from "@/test/http";
import { GET, POST } from "./route";

afterEach(() => {
  delete process.env.CRON_SECRET;
  (process.env as Record<string, string>).NODE_ENV = "test";
  resetConfigCache();
});

describe("/api/cron/outbox", () => {
  it("requires the bearer secret when CRON_SECRET is set (GET as Vercel Cron sends it, and POST)", async () => {
    process.env.CRON_SECRET = "cron-secret-0123456789";
    resetConfigCache();
    expect((await GET(makeRequest("/api/cron/outbox"))).status).toBe(401);
    expect((await GET(makeRequest("/api/cron/outbox", { headers: { authorization: "Bearer nope" } }))).status).toBe(
      401,
    );
    const ok = await GET(
      makeRequest("/api/cron/outbox", { headers: { authorization: "Bearer cron-secret-0123456789" } }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ claimed: expect.any(Number), sent: expect.any(Number) });
    const post = await POST(
      makeRequest("/api/cron/outbox", { method: "POST", headers: { authorization: "Bearer cron-secret-0123456789" } }),
    );
    expect(post.status).toBe(200);
  });

  it("refuses everyone (401) in production while CRON_SECRET is unset; development stays open", async () => {
    (process.env as Record<string, string>).NODE_ENV = "production";
    resetConfigCache();
    expect((await GET(makeRequest("/api/cron/outbox"))).status).toBe(401);
    expect((await POST(makeRequest("/api/cron/outbox", { method: "POST" }))).status).toBe(401);

    (process.env as Record<string, string>).NODE_ENV = "development";
    resetConfigCache();
    expect((await GET(makeRequest("/api/cron/outbox"))).status).toBe(200);
  });
});
