import { spawnSync } from "node:child_process";
import path from "node:path";
import jwt from "jsonwebtoken";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as mfaVerifyRoute } from "@/app/api/auth/mfa/verify/route";
import { POST as totpStartRoute } from "@/app/api/account/mfa/totp/start/route";
import { POST as totpConfirmRoute } from "@/app/api/account/mfa/totp/confirm/route";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { checkReadiness } from "@/lib/health";
import { SESSION_COOKIE } from "@/lib/edge";
import { newId } from "@/lib/ids";
import { createJwtTemplate, mintTemplateToken } from "@/lib/jwt-templates";
import { totpCodeAt } from "@/lib/mfa";
import { findProvider, saveOAuthProvider } from "@/lib/oauth";
import { setRateLimitStore } from "@/lib/ratelimit";
import { getActiveSigningKey, rotateSigningKey } from "@/lib/session/keys";
import { forgetCachedSettings, getInstanceSettings } from "@/lib/settings";
import { createWebhookEndpoint, revealWebhookSecret } from "@/lib/webhooks";
import { newAuthSecret, useAuthSecrets } from "@/test/auth-secret";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * Rotating AUTH_SECRET (docs/security.md), as an operator does it: deploy the new secret with
 * AUTH_SECRET_PREVIOUS set to the old one (everything keeps working), run the real
 * `npm run admin -- reseal-secrets` in its own process, then drop AUTH_SECRET_PREVIOUS.
 */
type Route = (request: never) => Promise<Response>;

async function call(route: Route, urlPath: string, body: unknown, jar: CookieJar) {
  const response = await route(makeRequest(urlPath, { body, jar }) as never);
  jar.absorb(response);
  return { status: response.status, json: await response.json() };
}

function resealCli(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/admin.mjs"), "reseal-secrets"], {
    env: { ...process.env, NODE_ENV: "production", AUTH_URL: "http://localhost:3000", AUTH_SECRET_PREVIOUS: undefined, ...env },
    encoding: "utf8",
    timeout: 50_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Under the secret in force: a user with an authenticator app, their backup codes, and everything else that is stored sealed. */
async function sealedThings() {
  const user = await signedUpUser();
  const started = await call(totpStartRoute, "/api/account/mfa/totp/start", {}, user.jar);
  const confirmed = await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", { factorId: started.json.factorId, code: await totpCodeAt(started.json.secret, new Date()) }, user.jar);
  expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
  const webhook = await createWebhookEndpoint({ url: "https://hooks.example.com/rotation" }, { actorId: user.userId, ip: null, userAgent: "vitest" });
  const hs256Secret = "an-hs256-secret-that-is-long-enough-0123456789";
  const template = await createJwtTemplate(
    { name: `rotation-${Date.now()}`, lifetimeSeconds: 60, clockSkewSeconds: 5, claims: "{}", signing: { kind: "hs256", secret: hs256Secret } },
    { actorId: null },
  );
  await saveOAuthProvider({ id: "google", clientId: "google-client", clientSecret: "GOCSPX-rotation" }, { actorId: null });
  return {
    ...user,
    totpSecret: started.json.secret as string,
    backupCodes: confirmed.json.backupCodes as string[],
    webhook: { id: webhook.id, secret: (await revealWebhookSecret(webhook.id)).secret },
    template: { name: template.name, secret: hs256Secret },
  };
}

/** Signs in with the password and a second factor; the session token is minted with the active signing key. */
async function signInWith(email: string, password: string, method: "totp" | "backup_code", code: string) {
  const jar = new CookieJar();
  const first = await call(signInRoute, "/api/auth/sign-in", { email, password }, jar);
  expect(first.json.status, JSON.stringify(first.json)).toBe("needs_second_factor");
  const done = await call(mfaVerifyRoute, "/api/auth/mfa/verify", { attemptId: first.json.attemptId, method, code }, jar);
  return { status: done.status, json: done.json, token: jar.values.get(SESSION_COOKIE) };
}

/** Each sealed thing, read back through the code that uses it. */
async function readEverything(things: Awaited<ReturnType<typeof sealedThings>>) {
  forgetCachedSettings();
  const sessionId = decodeJwtPayload(things.jar.values.get(SESSION_COOKIE)!).sid as string;
  const { jwt: templateToken } = await mintTemplateToken({ templateName: things.template.name, sessionId });
  return {
    webhookSecret: (await revealWebhookSecret(things.webhook.id)).secret,
    templateVerifies: Boolean(jwt.verify(templateToken, things.template.secret, { algorithms: ["HS256"] })),
    oauthClientSecret: findProvider(await getInstanceSettings(), "google")?.clientSecret ?? null,
  };
}

const inSteps = (steps: number) => new Date(Date.now() + steps * 30_000);

let restore: (() => void) | undefined;
beforeEach(() => setRateLimitStore(steadyMemoryStore()));
afterEach(async () => {
  restore?.();
  restore = undefined;
  await rotateSigningKey(); // leave a key the file's own secret can read
});

describe("rotating AUTH_SECRET", () => {
  it("keeps every sign-in and secret working with AUTH_SECRET_PREVIOUS; `reseal-secrets` moves them all, after which the old secret can go", { timeout: 120_000 }, async () => {
    const oldSecret = newAuthSecret();
    const newSecret = newAuthSecret();
    restore = useAuthSecrets(oldSecret);
    await rotateSigningKey(); // a signing key sealed under the old secret
    const things = await sealedThings();
    const expected = { webhookSecret: things.webhook.secret, templateVerifies: true, oauthClientSecret: "GOCSPX-rotation" };
    restore();

    // Without the previous secret nothing sealed under it opens: what the rotation exists for.
    restore = useAuthSecrets(newSecret);
    await expect(getActiveSigningKey()).rejects.toThrow(/cannot be decrypted with this AUTH_SECRET[\s\S]*AUTH_SECRET_PREVIOUS/);
    await expect(revealWebhookSecret(things.webhook.id)).rejects.toThrow();
    restore();

    // Step 1: the new secret deployed with the old one as AUTH_SECRET_PREVIOUS. Nobody notices.
    restore = useAuthSecrets(newSecret, oldSecret);
    expect(await checkReadiness()).toMatchObject({
      status: "ok",
      checks: { signingKey: { status: "ok", detail: expect.stringContaining("AUTH_SECRET_PREVIOUS is set: once `npm run admin -- reseal-secrets` has run, remove it") } },
    });
    expect(await readEverything(things)).toEqual(expected);
    const withTotp = await signInWith(things.email, things.password, "totp", await totpCodeAt(things.totpSecret, inSteps(1)));
    expect(withTotp.status, JSON.stringify(withTotp.json)).toBe(200);
    expect(withTotp.token).toBeTruthy();
    const withBackupCode = await signInWith(things.email, things.password, "backup_code", things.backupCodes[0]!);
    expect(withBackupCode.status, JSON.stringify(withBackupCode.json)).toBe(200);
    restore();

    // Step 2: the real CLI, in its own process, with both secrets (as the operator's shell has them).
    const first = resealCli({ AUTH_SECRET: newSecret, AUTH_SECRET_PREVIOUS: oldSecret });
    expect(first.stderr).toBe("");
    expect(first.status, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/^signing keys: [1-9]\d* resealed/m);
    expect(first.stdout).toContain("authenticator-app seeds: 1 resealed, 0 already under AUTH_SECRET");
    expect(first.stdout).toContain("JWT template secrets: 1 resealed, 0 already under AUTH_SECRET");
    expect(first.stdout).toContain("webhook secrets: 1 resealed, 0 already under AUTH_SECRET");
    expect(first.stdout).toContain("OAuth client secrets: 1 resealed, 0 already under AUTH_SECRET");
    expect(first.stdout).toMatch(/^1 user has backup codes\. They are keyed hashes and cannot be resealed/m);
    expect(first.stdout).toContain("Done. Every sealed secret is under AUTH_SECRET.");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "secrets.resealed" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ actorId: null, userAgent: "cli", data: { totpSeeds: { resealed: 1, current: 0, unreadable: 0 } } });

    // Step 3: AUTH_SECRET_PREVIOUS removed. Everything but the old backup codes still works.
    restore = useAuthSecrets(newSecret);
    expect((await checkReadiness()).checks.signingKey).toEqual({ status: "ok" });
    expect(await readEverything(things)).toEqual(expected);
    // The replay guard refuses a second code from the same 30 s; the test does not wait for the next one.
    await db.mfaFactor.updateMany({ where: { userId: things.userId, type: "totp" }, data: { lastUsedStep: null } });
    const afterwards = await signInWith(things.email, things.password, "totp", await totpCodeAt(things.totpSecret, inSteps(1)));
    expect(afterwards.status, JSON.stringify(afterwards.json)).toBe(200);
    const oldBackupCode = await signInWith(things.email, things.password, "backup_code", things.backupCodes[1]!);
    expect(oldBackupCode.status).toBe(422);
    restore();

    // Again: idempotent, nothing left to move.
    const again = resealCli({ AUTH_SECRET: newSecret, AUTH_SECRET_PREVIOUS: oldSecret });
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^signing keys: 0 resealed, [1-9]\d* already under AUTH_SECRET$/m);
    expect(again.stdout).toContain("authenticator-app seeds: 0 resealed, 1 already under AUTH_SECRET");
    expect(again.stdout).toContain("webhook secrets: 0 resealed, 1 already under AUTH_SECRET");
  });

  it("names what neither secret opens and exits 1; refuses to run without AUTH_SECRET_PREVIOUS", { timeout: 60_000 }, async () => {
    const lostSecret = newAuthSecret();
    restore = useAuthSecrets(lostSecret);
    const id = newId("webhookEndpoint");
    await db.webhookEndpoint.create({ data: { id, url: "https://lost.example.com/hook", secretEncrypted: encryptSecret("whsec_lost", "webhook-secret") } });
    restore();

    const current = process.env.AUTH_SECRET!;
    const run = resealCli({ AUTH_SECRET: current, AUTH_SECRET_PREVIOUS: newAuthSecret() });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    // (The first test's rows, sealed under its secrets, are unreadable here too.)
    expect(run.stdout).toMatch(/^webhook secrets: \d+ resealed, \d+ already under AUTH_SECRET, [1-9]\d* unreadable$/m);
    expect(run.stdout).toContain("unreadable with either secret: webhook https://lost.example.com/hook");
    expect(run.stdout).toContain("Done, with unreadable secrets (above).");

    const without = resealCli({ AUTH_SECRET: current });
    expect(without.status).toBe(1);
    expect(without.stderr).toContain("AUTH_SECRET_PREVIOUS is not set");
    await db.webhookEndpoint.delete({ where: { id } });
  });
});
