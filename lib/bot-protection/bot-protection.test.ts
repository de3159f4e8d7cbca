import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as sendEmailRoute } from "@/app/api/auth/email/send/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { db } from "@/lib/db";
import { setRateLimitStore } from "@/lib/ratelimit";
import { chargeEmailSend } from "@/lib/verification";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import { solveBotChallenge, solvedBotCheck } from "@/test/bot-check";
import { CookieJar, makeRequest, STRONG_PASSWORD, uniqueEmail } from "@/test/http";
import { passwordUser } from "@/security/helpers";
import { checkAltchaSolution, checkTurnstileToken, isDisposableEmail, issueAltchaChallenge } from ".";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * Bot protection (S10) through the real routes: what a script that posts
 * forms meets, what a person's browser sends, and what the owner of an
 * account under attack sees on their own device.
 */

async function settings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

let ipCounter = 0;
const freshIp = () => `203.0.113.${++ipCounter % 250}`;

const signUp = (body: Record<string, unknown>, ip = freshIp(), jar = new CookieJar()) =>
  signUpRoute(makeRequest("/api/auth/sign-up", { body: { password: STRONG_PASSWORD, ...body }, jar, headers: { "x-forwarded-for": ip } }));

const signIn = (body: Record<string, unknown>, ip: string, jar?: CookieJar) =>
  signInRoute(makeRequest("/api/auth/sign-in", { body, jar, headers: { "x-forwarded-for": ip } }));

async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

async function refusals(reason: string): Promise<number> {
  const rows = await db.auditEvent.findMany({ where: { type: "bot.refused" } });
  return rows.filter((row) => (row.data as { reason?: string }).reason === reason).length;
}

beforeAll(async () => {
  // On, as on a fresh install (the unit suite's default is off); "low" keeps each solve near 0.2 s.
  await settings({ botProtection: true, botChallengeDifficulty: "low" });
});

beforeEach(() => setRateLimitStore(steadyMemoryStore()));
afterAll(() => setRateLimitStore(undefined));

describe("sign-up by script", () => {
  it("is refused without a solution (428), audited, and nothing is written", async () => {
    const email = uniqueEmail("script");
    const response = await signUp({ email });
    expect(response.status).toBe(428);
    expect(await errorCode(response)).toBe("bot_challenge_required");
    expect(await refusals("challenge_missing")).toBeGreaterThan(0);
    expect(await db.signUpAttempt.count({ where: { emailAddress: email } })).toBe(0);
    expect(await db.outboxMessage.count({ where: { to: email } })).toBe(0);
  });

  it("succeeds with a solved challenge; the same solution twice is refused", async () => {
    const solution = await solvedBotCheck();
    const first = await signUp({ email: uniqueEmail("person"), botSolution: solution });
    expect(first.status).toBe(200);
    expect(((await first.json()) as { status: string }).status).toBe("needs_verification");

    const replay = await signUp({ email: uniqueEmail("replay"), botSolution: solution });
    expect(replay.status).toBe(428);
    expect(await refusals("challenge_replayed")).toBe(1);
  });

  it("refuses an expired challenge, a tampered one and the widget's test-mode payload", async () => {
    const expired = await solveBotChallenge(await issueAltchaChallenge("low", Date.now() - 11 * 60_000));
    expect((await signUp({ email: uniqueEmail("late"), botSolution: expired })).status).toBe(428);
    expect(await checkAltchaSolution(expired)).toEqual({ ok: false, reason: "challenge_expired" });

    const genuine = JSON.parse(Buffer.from(await solvedBotCheck(), "base64").toString("utf8"));
    genuine.challenge.parameters.cost = 1; // cheaper work, same signature
    const tampered = Buffer.from(JSON.stringify(genuine)).toString("base64");
    expect(await checkAltchaSolution(tampered)).toEqual({ ok: false, reason: "challenge_invalid" });

    const wrongAnswer = JSON.parse(Buffer.from(await solvedBotCheck(), "base64").toString("utf8"));
    wrongAnswer.solution.counter += 1;
    wrongAnswer.solution.derivedKey = "00".repeat(32);
    expect(await checkAltchaSolution(Buffer.from(JSON.stringify(wrongAnswer)).toString("base64"))).toEqual({ ok: false, reason: "challenge_invalid" });

    const testMode = Buffer.from(JSON.stringify({ challenge: null, solution: null, test: true })).toString("base64");
    expect((await signUp({ email: uniqueEmail("testmode"), botSolution: testMode })).status).toBe(428);
    expect((await signUp({ email: uniqueEmail("garbage"), botSolution: "not base64 json" })).status).toBe(428);
  });

  it("a filled honeypot gets the usual answer, but no attempt, no email, and an audit row", async () => {
    const email = uniqueEmail("honey");
    const response = await signUp({ email, botSolution: await solvedBotCheck(), honeypot: "https://spam.example" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; attemptId: string };
    expect(body.status).toBe("needs_verification");
    expect(await db.signUpAttempt.findUnique({ where: { id: body.attemptId } })).toBeNull();
    expect(await db.outboxMessage.count({ where: { to: email } })).toBe(0);
    expect(await refusals("honeypot")).toBeGreaterThan(0);
  });

  it("code sign-up (email/send intent sign_up) needs a solution too", async () => {
    const email = uniqueEmail("codeup");
    const send = (extra: Record<string, unknown> = {}) =>
      sendEmailRoute(makeRequest("/api/auth/email/send", { body: { email, intent: "sign_up", ...extra }, headers: { "x-forwarded-for": freshIp() } }));
    expect((await send()).status).toBe(428);
    expect((await send({ botSolution: await solvedBotCheck() })).status).toBe(200);
  });
});

describe("disposable email domains", () => {
  it("knows the maintained list, including subdomains, and not ordinary providers", () => {
    expect(isDisposableEmail("someone@mailinator.com")).toBe(true);
    expect(isDisposableEmail("someone@eu.mailinator.com")).toBe(true);
    expect(isDisposableEmail("someone@gmail.com")).toBe(false);
    expect(isDisposableEmail("someone@example.com")).toBe(false);
  });

  it("are refused at sign-up with a field error when the setting is on; the allowlist wins; off lets them in", async () => {
    const refused = await signUp({ email: `throwaway.${Date.now()}@mailinator.com`, botSolution: await solvedBotCheck() });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { errors: { field?: string; message: string }[] };
    expect(body.errors[0]).toMatchObject({ field: "email", message: expect.stringMatching(/permanent email address/) });
    expect(await refusals("disposable_email")).toBeGreaterThan(0);

    await settings({ allowlist: ["mailinator.com"] });
    expect((await signUp({ email: `allowed.${Date.now()}@mailinator.com`, botSolution: await solvedBotCheck() })).status).toBe(200);
    await settings({ allowlist: [], blockDisposableEmails: false });
    expect((await signUp({ email: `tolerated.${Date.now()}@mailinator.com`, botSolution: await solvedBotCheck() })).status).toBe(200);
    await settings({ blockDisposableEmails: true });
  });
});

describe("sign-in: challenged on risk only", () => {
  it("a credential-stuffing run from one client meets challenges; the owner on their known device does not", async () => {
    const owner = await passwordUser();
    const stuffer = "198.51.100.7";
    // The owner signs in once from this browser: it becomes a known device for the account.
    const ownerJar = new CookieJar();
    const first = await signIn({ email: owner.email, password: owner.password }, "192.0.2.10", ownerJar);
    expect(first.status).toBe(200);
    ownerJar.absorb(first);

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await signIn({ email: uniqueEmail(`leaked${i}`), password: `guess-${i}` }, stuffer);
      statuses.push(response.status);
    }
    // Wrong passwords until the client's failures add up, then nothing but challenges.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(428));

    // The owner's own (leaked) address from the stuffing client is challenged too...
    expect((await signIn({ email: owner.email, password: "guess" }, stuffer)).status).toBe(428);
    // ...and a solved challenge lets the attempt through to the password check (still wrong).
    expect((await signIn({ email: owner.email, password: "guess", botSolution: await solvedBotCheck() }, stuffer)).status).toBe(401);
    // The owner, from that same network, on the browser that signed in before: no challenge.
    expect((await signIn({ email: owner.email, password: owner.password }, stuffer, ownerJar)).status).toBe(200);
  });

  it("strangers near an address's budget are challenged before the lockout can build up", async () => {
    const victim = await passwordUser();
    // Five wrong passwords, each from a different IP: half of the 10-per-15-minutes stranger budget.
    for (let i = 0; i < 5; i++) expect((await signIn({ email: victim.email, password: `nope-${i}` }, `192.0.2.${100 + i}`)).status).toBe(401);
    const challenged = await signIn({ email: victim.email, password: victim.password }, "192.0.2.200");
    expect(challenged.status).toBe(428);
    // A person's browser solves it and signs in.
    const solved = await signIn({ email: victim.email, password: victim.password, botSolution: await solvedBotCheck() }, "192.0.2.200");
    expect(solved.status).toBe(200);
  });

  it("a filled honeypot is answered like a wrong password", async () => {
    const user = await passwordUser();
    const response = await signIn({ email: user.email, password: user.password, honeypot: "filled" }, freshIp());
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe("invalid_credentials");
  });

  it("'always' challenges every sign-in, 'never' and bot protection off none", async () => {
    const user = await passwordUser();
    await settings({ botChallengeSignIn: "always" });
    expect((await signIn({ email: user.email, password: user.password }, freshIp())).status).toBe(428);
    await settings({ botChallengeSignIn: "never" });
    for (let i = 0; i < 6; i++) await signIn({ email: uniqueEmail("x"), password: "x" }, "198.51.100.99");
    expect((await signIn({ email: user.email, password: user.password }, "198.51.100.99")).status).toBe(200);
    await settings({ botChallengeSignIn: "risk", botProtection: false });
    expect((await signIn({ email: user.email, password: user.password }, "198.51.100.99")).status).toBe(200);
    expect((await signUp({ email: uniqueEmail("off") })).status).toBe(200);
    await settings({ botProtection: true });
  });
});

describe("code sends and password resets near their limits", () => {
  it("an address whose send budget is two-thirds used needs a solution; so does a client with many failures", async () => {
    const user = await passwordUser();
    // Two sign-in emails to this address in the window already (the budget is 3 per 10 minutes), counted by
    // the function every send calls (the 30 s resend cooldown keeps the test from making them through the route).
    for (let i = 0; i < 2; i++) await chargeEmailSend(user.email, "sign_in");
    const send = (ip: string, extra: Record<string, unknown> = {}) =>
      sendEmailRoute(makeRequest("/api/auth/email/send", { body: { email: user.email, intent: "sign_in", ...extra }, headers: { "x-forwarded-for": ip } }));
    expect((await send(freshIp())).status).toBe(428);
    expect((await send(freshIp(), { botSolution: await solvedBotCheck() })).status).toBe(200);

    const other = await passwordUser();
    const noisy = "198.51.100.50";
    for (let i = 0; i < 5; i++) await signIn({ email: uniqueEmail("n"), password: "x" }, noisy);
    const reset = (extra: Record<string, unknown> = {}) =>
      resetSendRoute(makeRequest("/api/auth/password-reset/send", { body: { email: other.email, ...extra }, headers: { "x-forwarded-for": noisy } }));
    expect((await reset()).status).toBe(428);
    expect((await reset({ botSolution: await solvedBotCheck() })).status).toBe(200);
  });
});

describe("Cloudflare Turnstile at the fetch boundary", () => {
  let server: http.Server;
  let url: string;
  const seen: URLSearchParams[] = [];

  beforeAll(async () => {
    // Answers as Siteverify documents: a token is good once; a wrong secret is the site's problem.
    const redeemed = new Set<string>();
    server = http.createServer((request, response) => {
      let raw = "";
      request.on("data", (chunk) => (raw += chunk));
      request.on("end", () => {
        const form = new URLSearchParams(raw);
        seen.push(form);
        const token = form.get("response") ?? "";
        let body: object;
        if (form.get("secret") !== "turnstile-secret") body = { success: false, "error-codes": ["invalid-input-secret"] };
        else if (token === "down") return void response.writeHead(502).end();
        else if (!token.startsWith("good")) body = { success: false, "error-codes": ["invalid-input-response"] };
        else if (redeemed.has(token)) body = { success: false, "error-codes": ["timeout-or-duplicate"] };
        else {
          redeemed.add(token);
          body = { success: true, hostname: "localhost", "error-codes": [] };
        }
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts a token once, refuses replays, bad tokens, a bad secret and an unreachable service", async () => {
    const options = { secret: "turnstile-secret", ip: "192.0.2.1", url };
    expect(await checkTurnstileToken("good-1", options)).toEqual({ ok: true });
    expect(seen.at(-1)?.get("remoteip")).toBe("192.0.2.1");
    expect(await checkTurnstileToken("good-1", options)).toEqual({ ok: false, reason: "challenge_expired" });
    expect(await checkTurnstileToken("forged", options)).toEqual({ ok: false, reason: "challenge_invalid" });
    expect(await checkTurnstileToken("good-2", { ...options, secret: "wrong" })).toEqual({ ok: false, reason: "provider_unavailable" });
    expect(await checkTurnstileToken("down", options)).toEqual({ ok: false, reason: "provider_unavailable" });
    expect(await checkTurnstileToken("good-3", { ...options, url: "http://127.0.0.1:1/closed" })).toEqual({ ok: false, reason: "provider_unavailable" });
  });
});
