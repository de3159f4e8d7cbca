import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { unlockUser } from "@/lib/admin";
import { db } from "@/lib/db";
import { RATE_LIMIT_RULES, createMemoryStore, setRateLimitStore } from "@/lib/ratelimit";
import { LOCKOUT_THRESHOLD } from "@/lib/sign-in";
import { makeRequest } from "@/test/http";
import { nextIp, passwordUser } from "./helpers";

/**
 * S10 brute force: one account, 1000 wrong passwords, each from a new IP (so
 * only the per-identifier limit and the lockout can stop it). The attacker
 * hammers until refused 15 times in a row, then waits out the window (a fake
 * clock in the limiter; the lockout uses real time, as in production).
 */
let clock = Date.now();
const WINDOW_MS = RATE_LIMIT_RULES.signInPerIdentifier.windowSeconds * 1000;

beforeAll(() => setRateLimitStore(createMemoryStore({ now: () => clock })));
afterAll(() => setRateLimitStore(undefined));

const attempt = (email: string, password: string) =>
  signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password }, headers: { "x-forwarded-for": nextIp() } }));

describe("brute force on one account from many IPs", () => {
  it("is rate limited and locked, never succeeds, and the owner signs in after an admin unlock", { timeout: 180_000 }, async () => {
    const { email, password, userId } = await passwordUser();
    const statuses = new Map<number, number>();
    let counted = 0;
    let refusedInARow = 0;
    let lockedAtFailure: number | null = null;

    for (let i = 0; i < 1000; i++) {
      const response = await attempt(i % 3 ? email : email.toUpperCase(), `wrong-password-${i}`);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect([401, 429]).toContain(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        if (++refusedInARow === 15) {
          clock += 2 * WINDOW_MS; // the attacker waits until the sliding window has fully passed
          refusedInARow = 0;
        }
        continue;
      }
      refusedInARow = 0;
      counted += 1;
      // Same generic answer whether or not the account is locked: strangers learn nothing.
      expect((await response.json()).errors[0].code).toBe("invalid_credentials");
      if (lockedAtFailure === null) {
        const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { lockedUntil: true } });
        if (user.lockedUntil) lockedAtFailure = counted;
      }
    }

    expect(statuses.get(200)).toBeUndefined();
    // The per-identifier limit let through at most 10 per window: most attempts never reached bcrypt.
    expect(statuses.get(429)).toBeGreaterThan(500);
    expect(counted).toBeLessThanOrEqual(Math.ceil(1000 / 25) * RATE_LIMIT_RULES.signInPerIdentifier.limit);
    expect(lockedAtFailure).toBe(LOCKOUT_THRESHOLD);
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(await db.auditEvent.count({ where: { type: "sign_in.failed", targetId: userId } })).toBe(counted);
    expect(await db.auditEvent.count({ where: { type: "user.locked", targetId: userId } })).toBe(Math.floor(counted / LOCKOUT_THRESHOLD));

    // The owner, once the limiter window has passed, is told the account is locked (only they know the password).
    clock += 2 * WINDOW_MS;
    const owner = await attempt(email, password);
    expect(owner.status).toBe(423);

    await unlockUser(userId, { actorId: null });
    const afterUnlock = await attempt(email, password);
    expect(afterUnlock.status).toBe(200);
    expect(afterUnlock.headers.getSetCookie().some((line) => line.startsWith("__session="))).toBe(true);
  });
});
