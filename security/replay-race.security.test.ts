import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as resetCompleteRoute } from "@/app/api/auth/password-reset/complete/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as resetVerifyRoute } from "@/app/api/auth/password-reset/verify/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { setRateLimitStore } from "@/lib/ratelimit";
import { CookieJar, makeRequest } from "@/test/http";
import { passwordUser, signedInUser } from "./helpers";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * S4/S10 replay and races, through the real route handlers: a used code, link
 * or reset token is refused; N concurrent consumes of one code/link give
 * exactly one success and no 500; refresh racing sign-out never 500s.
 */
const mail = useTestSmtp();
const CONCURRENT = 10;

beforeAll(() => setRateLimitStore(steadyMemoryStore()));
afterAll(() => setRateLimitStore(undefined));

type Route = (request: never) => Promise<Response>;
async function call(route: Route, path: string, body: unknown, jar?: CookieJar) {
  const response = await route(makeRequest(path, { body, jar }) as never);
  const json = await response.json();
  return { status: response.status, json, setsSession: response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=ey`)) };
}

/** Asks for a sign-in code + link for a fresh account and returns them with the asking browser's jar. */
async function emailedSignIn() {
  const { email } = await passwordUser();
  const jar = new CookieJar();
  const sendResponse = await emailSendRoute(makeRequest("/api/auth/email/send", { body: { email, intent: "sign_in" }, jar }) as never);
  expect(sendResponse.status).toBe(200);
  jar.absorb(sendResponse);
  const { attemptId } = await sendResponse.json();
  const { code, link } = extractCodeAndLink(await mail.deliver(email));
  return { email, jar, attemptId: attemptId as string, code, token: new URL(link).searchParams.get("token")! };
}

const succeeded = (result: { status: number; json: { status?: string } }) =>
  result.status === 200 && (result.json.status === "complete" || result.json.status === "verified_elsewhere");

describe("replay", () => {
  it("a used email code is refused", async () => {
    const { jar, attemptId, code } = await emailedSignIn();
    expect(succeeded(await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId, code }, jar))).toBe(true);
    const replay = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId, code }, jar);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    expect(replay.setsSession).toBe(false);
  });

  it("a used email link is refused", async () => {
    const { jar, token } = await emailedSignIn();
    expect(succeeded(await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token }, jar))).toBe(true);
    for (const replayJar of [jar, new CookieJar()]) {
      const replay = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token }, replayJar);
      expect(replay.status).toBeGreaterThanOrEqual(400);
      expect(replay.status).toBeLessThan(500);
      expect(replay.setsSession).toBe(false);
    }
  });

  it("a used password-reset token is refused", async () => {
    const { email } = await passwordUser();
    const sent = await call(resetSendRoute, "/api/auth/password-reset/send", { email });
    const { code } = extractCodeAndLink(await mail.deliver(email));
    const verified = await call(resetVerifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code });
    expect(verified.json.status).toBe("verified");
    const first = await call(resetCompleteRoute, "/api/auth/password-reset/complete", { token: verified.json.token, password: "violet otters juggle quietly 77" });
    expect(first.status).toBe(200);
    // Once the reset is done, neither the code nor the token works again.
    const replayCode = await call(resetVerifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code });
    expect(replayCode.status).toBeGreaterThanOrEqual(400);
    expect(replayCode.status).toBeLessThan(500);
    const replay = await call(resetCompleteRoute, "/api/auth/password-reset/complete", { token: verified.json.token, password: "another fine passphrase 88" });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    expect(replay.setsSession).toBe(false);
  });
});

describe("races", () => {
  it(`${CONCURRENT} concurrent submits of one code -> exactly one success, no 500`, async () => {
    const { jar, attemptId, code } = await emailedSignIn();
    const results = await Promise.all(Array.from({ length: CONCURRENT }, () => call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId, code }, jar)));
    expect(results.filter(succeeded)).toHaveLength(1);
    expect(results.filter((result) => result.setsSession)).toHaveLength(1);
    for (const result of results) expect(result.status).toBeLessThan(500);
  });

  it(`${CONCURRENT} concurrent confirms of one link -> exactly one success, no 500`, async () => {
    const { jar, token } = await emailedSignIn();
    const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => call(confirmLinkRoute, "/api/auth/email/confirm-link", { token }, i % 2 ? jar : new CookieJar())));
    expect(results.filter(succeeded)).toHaveLength(1);
    for (const result of results) expect(result.status).toBeLessThan(500);
  });

  it(`${CONCURRENT} concurrent password resets with one token -> exactly one success`, async () => {
    const { email } = await passwordUser();
    const sent = await call(resetSendRoute, "/api/auth/password-reset/send", { email });
    const { code } = extractCodeAndLink(await mail.deliver(email));
    const { json } = await call(resetVerifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code });
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => call(resetCompleteRoute, "/api/auth/password-reset/complete", { token: json.token, password: `violet otters juggle quietly ${i}${i}` })),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    for (const result of results) expect(result.status).toBeLessThan(500);
  });

  it("refresh racing sign-out -> never a 500", async () => {
    for (let round = 0; round < 10; round++) {
      const { jar } = await signedInUser();
      const results = await Promise.all([
        call(refreshRoute, "/api/auth/session/refresh", {}, jar),
        call(signOutRoute, "/api/auth/sign-out", { scope: "all" }, jar),
        call(refreshRoute, "/api/auth/session/refresh", {}, jar),
      ]);
      for (const result of results) expect([200, 401]).toContain(result.status);
      // Once signed out, the client cannot refresh again.
      expect((await call(refreshRoute, "/api/auth/session/refresh", {}, jar)).status).toBe(401);
    }
  });
});
