import { beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as sendRoute } from "@/app/api/auth/email/send/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { setRateLimitStore } from "@/lib/ratelimit";
import { latestEmailCode } from "@/test/fixtures";
import { CookieJar, STRONG_PASSWORD, makeRequest, uniqueEmail } from "@/test/http";
import { passwordUser } from "./helpers";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * Session fixation (S2): an attacker obtains a `__client` value the server
 * issued to them (any unauthenticated POST /api/auth/email/send hands one out)
 * and plants it in the victim's browser. Whatever way the victim then signs in
 * or signs up, the planted value must be worthless afterwards.
 */
beforeEach(() => setRateLimitStore(steadyMemoryStore()));

async function plantedClient(): Promise<string> {
  const attacker = new CookieJar();
  const response = await sendRoute(
    makeRequest("/api/auth/email/send", { body: { email: uniqueEmail("attacker"), intent: "sign_in" }, jar: attacker }),
  );
  attacker.absorb(response);
  const token = attacker.values.get(CLIENT_COOKIE);
  if (!token) throw new Error("no __client handed out");
  return token;
}

/** What the attacker can do with the planted value after the victim signed in. */
async function attackerRefresh(planted: string) {
  const jar = new CookieJar();
  jar.values.set(CLIENT_COOKIE, planted);
  return refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar }));
}

describe("session fixation through a planted __client cookie", () => {
  it("password sign-in issues a new client token; the planted one gets nothing", async () => {
    const victim = await passwordUser();
    const planted = await plantedClient();
    const browser = new CookieJar();
    browser.values.set(CLIENT_COOKIE, planted);
    const response = await signInRoute(
      makeRequest("/api/auth/sign-in", { body: { email: victim.email, password: victim.password }, jar: browser }),
    );
    expect(response.status).toBe(200);
    browser.absorb(response);
    expect(browser.values.get(CLIENT_COOKIE)).toBeTruthy();
    expect(browser.values.get(CLIENT_COOKIE)).not.toBe(planted);

    const stolen = await attackerRefresh(planted);
    expect(stolen.status).toBe(401);
    expect(stolen.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`) && !/max-age=0/i.test(line))).toBe(false);
    // The victim's own browser keeps working with its new value.
    expect((await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar: browser }))).status).toBe(200);
  });

  it("email-code sign-in on a planted client: the attempt still completes, the planted value does not", async () => {
    const victim = await passwordUser();
    const planted = await plantedClient();
    const browser = new CookieJar();
    browser.values.set(CLIENT_COOKIE, planted);
    const sent = await sendRoute(makeRequest("/api/auth/email/send", { body: { email: victim.email, intent: "sign_in" }, jar: browser }));
    browser.absorb(sent);
    const { attemptId } = (await sent.json()) as { attemptId: string };
    const code = await latestEmailCode(victim.email);
    const verified = await verifyCodeRoute(makeRequest("/api/auth/email/verify-code", { body: { attemptId, code }, jar: browser }));
    expect(verified.status).toBe(200);
    browser.absorb(verified);
    expect(browser.values.get(CLIENT_COOKIE)).not.toBe(planted);
    expect((await attackerRefresh(planted)).status).toBe(401);
  });

  it("sign-up (verified by code) on a planted client: the planted value does not get the new account", async () => {
    const email = uniqueEmail("newcomer");
    const planted = await plantedClient();
    const browser = new CookieJar();
    browser.values.set(CLIENT_COOKIE, planted);
    const started = await signUpRoute(makeRequest("/api/auth/sign-up", { body: { email, password: STRONG_PASSWORD }, jar: browser }));
    browser.absorb(started);
    const { attemptId } = (await started.json()) as { attemptId: string };
    const code = await latestEmailCode(email);
    const verified = await verifyCodeRoute(makeRequest("/api/auth/email/verify-code", { body: { attemptId, code }, jar: browser }));
    expect(verified.status).toBe(200);
    browser.absorb(verified);
    expect(browser.values.get(CLIENT_COOKIE)).not.toBe(planted);
    expect((await attackerRefresh(planted)).status).toBe(401);
  });
});
