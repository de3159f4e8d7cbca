import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { db } from "@/lib/db";
import { DEVICE_COOKIE } from "@/lib/edge";
import { RATE_LIMIT_RULES, createMemoryStore, setRateLimitStore } from "@/lib/ratelimit";
import { LOCKOUT_THRESHOLD } from "@/lib/sign-in";
import { CookieJar, makeRequest } from "@/test/http";
import { nextIp, passwordUser } from "./helpers";

/**
 * Lockout as a weapon (S10): someone who knows only the victim's email address
 * hammers the password form. Strangers are slowed down and, at 100 failures,
 * locked out; the owner's existing sessions survive, and the owner's own
 * browser (it has signed in before: device cookie) keeps its own budget and is
 * never locked out. A fake clock drives the limiter; the lockout uses real time.
 */
let clock = Date.now();
const WINDOW_MS = RATE_LIMIT_RULES.signInPerIdentifier.windowSeconds * 1000;
beforeAll(() => setRateLimitStore(createMemoryStore({ now: () => clock })));
afterAll(() => setRateLimitStore(undefined));

const signIn = (email: string, password: string, jar?: CookieJar) =>
  signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password }, jar, headers: { "x-forwarded-for": nextIp() } }));

describe("an attacker who knows only the victim's address", () => {
  it("cannot lock the owner out of their own browser, nor end their sessions", { timeout: 120_000 }, async () => {
    const { email, password, userId } = await passwordUser();
    // The owner signs in on their laptop: it now carries a device cookie naming them.
    const laptop = new CookieJar();
    const first = await signIn(email, password, laptop);
    expect(first.status).toBe(200);
    laptop.absorb(first);
    expect(laptop.values.get(DEVICE_COOKIE)).toMatch(/^v1\./);
    clock += 2 * WINDOW_MS; // (that sign-in came from a new browser: let its count pass)

    // 10 wrong passwords from strangers exhaust the strangers' budget ...
    for (let i = 0; i < 10; i++) expect((await signIn(email, `guess-${i}`)).status).toBe(401);
    const stranger = await signIn(email, password);
    expect(stranger.status).toBe(429);
    expect((await stranger.json()).message).toMatch(/email code/);
    // ... but the owner's own browser signs in at once, with the right password.
    const owner = await signIn(email, password, laptop);
    expect(owner.status).toBe(200);
    laptop.absorb(owner);

    // Keep going until the account locks (100 counted failures).
    while ((await db.user.findUniqueOrThrow({ where: { id: userId } })).lockedUntil === null) {
      clock += 2 * WINDOW_MS;
      for (let i = 0; i < 10; i++) await signIn(email, `guess-more-${i}`);
    }
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await db.auditEvent.count({ where: { type: "user.locked", targetId: userId } })).toBe(1);
    clock += 2 * WINDOW_MS;

    // Existing sessions survive the lockout.
    const refreshed = await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar: laptop }));
    expect(refreshed.status).toBe(200);
    // A stranger's browser with the right password learns it is locked (only the password holder does) ...
    expect((await signIn(email, password)).status).toBe(423);
    // ... and the owner's browser is not locked out.
    expect((await signIn(email, password, laptop)).status).toBe(200);
  });

  it("a known device's wrong passwords count on its own budget, never towards the account's lockout", async () => {
    const { email, password, userId } = await passwordUser();
    const laptop = new CookieJar();
    laptop.absorb(await signIn(email, password, laptop));
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn(email, `typo-${i}`, laptop)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).failedSignInAttempts).toBe(0);
    // Strangers still have their own budget for this account.
    expect((await signIn(email, password)).status).toBe(200);
  });

  it("a forged or another user's device cookie is just a stranger's browser", async () => {
    const victim = await passwordUser();
    const other = await passwordUser();
    const attacker = new CookieJar();
    // The attacker's own device cookie names the attacker, not the victim.
    attacker.absorb(await signIn(other.email, other.password, attacker));
    for (let i = 0; i < 10; i++) await signIn(victim.email, `guess-${i}`, attacker);
    expect((await signIn(victim.email, victim.password, attacker)).status).toBe(429);
    // A hand-made cookie claiming the victim is not signed by us.
    const forged = new CookieJar();
    const payload = Buffer.from(JSON.stringify({ d: "x", u: [victim.userId] })).toString("base64url");
    forged.values.set(DEVICE_COOKIE, `v1.${payload}.${"A".repeat(43)}`);
    expect((await signIn(victim.email, victim.password, forged)).status).toBe(429);
  });

  it("the lockout is counted only at the threshold the spec names", () => {
    expect(LOCKOUT_THRESHOLD).toBe(100);
  });
});
