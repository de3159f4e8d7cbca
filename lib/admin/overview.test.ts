import { beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { setRateLimitStore } from "@/lib/ratelimit";
import { signedUpUser } from "@/test/fixtures";
import { makeRequest } from "@/test/http";
import { getAdminOverview } from "./overview";
import { steadyMemoryStore } from "@/test/rate-limit";

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

const NOW = new Date("2026-03-15T10:30:00.000Z");
const day = (date: string, time = "12:00:00") => new Date(`${date}T${time}.000Z`);

async function events(rows: { type: string; createdAt: Date; factor?: string }[]) {
  await db.auditEvent.createMany({
    data: rows.map((row) => ({ id: newId("audit"), type: row.type, createdAt: row.createdAt, data: row.factor ? { factor: row.factor } : {} })),
  });
}

describe("getAdminOverview", () => {
  it("has 30 UTC days, zero-filled, that add up to the totals, and the sign-in methods", async () => {
    await events([
      { type: "user.created", createdAt: day("2026-02-14", "00:00:00") }, // the first day of the window, its first instant
      { type: "user.created", createdAt: day("2026-02-13", "23:59:59") }, // the day before: out
      { type: "user.created", createdAt: day("2026-03-15", "10:29:59") },
      { type: "sign_in.succeeded", createdAt: day("2026-03-01"), factor: "password" },
      { type: "sign_in.succeeded", createdAt: day("2026-03-01"), factor: "password" },
      { type: "sign_in.succeeded", createdAt: day("2026-03-02"), factor: "email_code" },
      { type: "sign_in.succeeded", createdAt: day("2026-03-14", "23:59:59"), factor: "oauth_github" },
      { type: "sign_in.succeeded", createdAt: day("2026-03-15", "11:00:00"), factor: "password" }, // after now: out
      { type: "sign_in.succeeded", createdAt: day("2026-01-01"), factor: "password" }, // long ago: out
      { type: "sign_in.failed", createdAt: day("2026-03-15", "00:00:01") },
      { type: "sign_out", createdAt: day("2026-03-10") }, // not counted
    ]);
    const overview = await getAdminOverview(NOW);

    expect(overview.daily).toHaveLength(30);
    expect(overview.daily[0]!.date).toBe("2026-02-14");
    expect(overview.daily[29]!.date).toBe("2026-03-15");
    expect(new Set(overview.daily.map((entry) => entry.date)).size).toBe(30);
    const byDate = Object.fromEntries(overview.daily.map((entry) => [entry.date, entry]));
    expect(byDate["2026-02-14"]).toEqual({ date: "2026-02-14", signUps: 1, signIns: 0, failedSignIns: 0 });
    expect(byDate["2026-03-01"]).toEqual({ date: "2026-03-01", signUps: 0, signIns: 2, failedSignIns: 0 });
    expect(byDate["2026-03-14"]).toMatchObject({ signIns: 1 });
    expect(byDate["2026-03-15"]).toEqual({ date: "2026-03-15", signUps: 1, signIns: 0, failedSignIns: 1 });
    expect(byDate["2026-03-10"]).toEqual({ date: "2026-03-10", signUps: 0, signIns: 0, failedSignIns: 0 });
    expect(overview.totals).toMatchObject({ signUps30d: 2, signIns30d: 4, failedSignIns30d: 1 });
    expect(overview.methods).toEqual([
      { method: "password", count: 2 },
      { method: "email_code", count: 1 },
      { method: "oauth_github", count: 1 },
    ]);
  });

  it("counts users, active sessions, banned, locked and MFA users", async () => {
    const before = await getAdminOverview();
    const a = await signedUpUser();
    const b = await signedUpUser();
    const c = await signedUpUser();
    await db.user.update({ where: { id: a.userId }, data: { banned: true } });
    await db.user.update({ where: { id: b.userId }, data: { lockedUntil: new Date(Date.now() + 60_000), mfaEnabled: true } });
    await db.user.update({ where: { id: c.userId }, data: { lockedUntil: new Date(Date.now() - 60_000) } }); // expired lock
    await db.session.updateMany({ where: { userId: c.userId }, data: { expiresAt: new Date(Date.now() - 1000) } }); // expired session
    // A real password sign-in: its audit event names the first factor.
    const signedIn = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: a.email, password: a.password } }));
    expect(signedIn.status).toBe(403); // banned
    await db.user.update({ where: { id: a.userId }, data: { banned: false } });
    expect((await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: a.email, password: a.password } }))).status).toBe(200);

    const after = await getAdminOverview();
    expect(after.totals.users - before.totals.users).toBe(3);
    expect(after.totals.activeSessions - before.totals.activeSessions).toBe(3); // a twice, b once, c's expired
    expect(after.totals.bannedUsers - before.totals.bannedUsers).toBe(0);
    expect(after.totals.lockedUsers - before.totals.lockedUsers).toBe(1);
    expect(after.totals.mfaUsers - before.totals.mfaUsers).toBe(1);
    expect(after.totals.signUps30d - before.totals.signUps30d).toBe(3);
    expect(after.totals.signIns30d - before.totals.signIns30d).toBe(1);
    expect(after.methods.find((row) => row.method === "password")?.count).toBe((before.methods.find((row) => row.method === "password")?.count ?? 0) + 1);
    await db.user.update({ where: { id: a.userId }, data: { banned: true } });
    expect((await getAdminOverview()).totals.bannedUsers - before.totals.bannedUsers).toBe(1);
  });
});
