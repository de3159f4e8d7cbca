import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { postAsPage } from "./helpers/api";
import { queryDb } from "./helpers/db";
import { uniqueEmail } from "./helpers/users";

// The production server `npm start` runs (scripts/server.mjs) with no trusted proxies, as
// scripts/e2e.mjs starts it: the client IP must be the socket address whatever the client sends.
test.describe("client IP (S10)", () => {
  test.skip(!process.env.E2E_DATABASE_URL, "reads the audit log: run through scripts/e2e.mjs");

  test("a forged X-Forwarded-For: 1.2.3.4 is not the client IP: the failed sign-in is audited from 127.0.0.1", async ({
    request,
  }) => {
    // A user agent of its own finds this request's audit row among the parallel specs' rows.
    const userAgent = `e2e-client-ip-${crypto.randomUUID()}`;
    const response = await postAsPage(
      request,
      "/api/auth/sign-in",
      { email: uniqueEmail("clientip"), password: "not the password 123" },
      { "x-forwarded-for": "1.2.3.4", "user-agent": userAgent },
    );
    expect(response.status(), await response.text()).toBe(401);

    const rows = await queryDb<{ ip: string | null }>(
      `SELECT ip FROM "AuditEvent" WHERE type = 'sign_in.failed' AND "userAgent" = $1`,
      [userAgent],
    );
    expect(rows).toHaveLength(1);
    // localhost may resolve to IPv6 first: either loopback address is the real peer.
    expect(["127.0.0.1", "::1"]).toContain(rows[0]!.ip);
  });
});
