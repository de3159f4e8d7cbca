import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { db } from "@/lib/db";
import { setRateLimitStore } from "@/lib/ratelimit";
import { passwordUser } from "@/security/helpers";
import { makeRequest } from "@/test/http";
import { unlockUser } from "./unlock-user";
import { steadyMemoryStore } from "@/test/rate-limit";

const signIn = (email: string, password: string) => signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password } }));

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

describe("unlockUser", () => {
  it("lifts a lockout, resets the counter, audits who did it, and the owner can sign in again", async () => {
    const { email, password, userId } = await passwordUser();
    const admin = await passwordUser();
    await db.user.update({ where: { id: userId }, data: { lockedUntil: new Date(Date.now() + 3_600_000), failedSignInAttempts: 7 } });
    expect((await signIn(email, password)).status).toBe(423);

    expect(await unlockUser(userId, { actorId: admin.userId, ip: "192.0.2.1" })).toEqual({ wasLocked: true });
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({ lockedUntil: null, failedSignInAttempts: 0 });
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "user.unlocked", targetId: userId } });
    expect(event).toMatchObject({ actorId: admin.userId, ip: "192.0.2.1" });
    expect(event.data).toMatchObject({ wasLocked: true, failedAttempts: 7 });
    expect((await signIn(email, password)).status).toBe(200);
  });

  it("an unlock from another process (the CLI) gives the owner a fresh budget in this running server's in-process limiter", { timeout: 60_000 }, async () => {
    const { email, password } = await passwordUser();
    for (let i = 0; i < 10; i++) await signIn(email, "wrong password guess");
    expect((await signIn(email, password)).status).toBe(429);
    // The real CLI, in its own process: it cannot touch this process's memory, only the shared database.
    const cli = spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/admin.mjs"), "unlock", email], {
      env: { ...process.env, NODE_ENV: "production", AUTH_URL: "http://localhost:3000" },
      encoding: "utf8",
      timeout: 50_000,
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("failed-attempt count reset");
    expect((await signIn(email, password)).status).toBe(200);
  });

  it("reports an account that was not locked, and refuses an unknown user", async () => {
    const { userId } = await passwordUser();
    expect(await unlockUser(userId, { actorId: null })).toEqual({ wasLocked: false });
    await expect(unlockUser("user_doesnotexist", { actorId: null })).rejects.toMatchObject({ code: "not_found" });
  });
});
