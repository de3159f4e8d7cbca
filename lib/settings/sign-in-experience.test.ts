import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { getMfaStatus } from "@/lib/mfa";
import { totpCodeAt } from "@/lib/mfa/totp";
import { setRateLimitStore } from "@/lib/ratelimit";
import { passwordUser } from "@/security/helpers";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest, STRONG_PASSWORD, uniqueEmail } from "@/test/http";
import { PATCH as adminSettingsRoute } from "@/app/api/admin/settings/route";
import { POST as addEmailRoute } from "@/app/api/account/emails/add/route";
import { POST as verifyEmailRoute } from "@/app/api/account/emails/verify/route";
import { POST as totpStartRoute } from "@/app/api/account/mfa/totp/start/route";
import { POST as totpConfirmRoute } from "@/app/api/account/mfa/totp/confirm/route";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as mfaVerifyRoute } from "@/app/api/auth/mfa/verify/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import {
  forgetCachedSettings,
  getInstanceSettings,
  instanceSettingsDefaults,
  parseStoredSettings,
  readInstanceSettings,
  redirectAfter,
  updateInstanceSettings,
  type InstanceSettingsPatch,
} from "./index";
import { steadyMemoryStore } from "@/test/rate-limit";

/** Issue 19 item 4: the sign-in settings the posts describe, validated and honoured by the domain. */

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

afterEach(async () => {
  await db.instanceSettings.deleteMany();
  forgetCachedSettings();
  delete process.env.ALLOWED_REDIRECT_ORIGINS;
  resetConfigCache();
});

async function set(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  return updateInstanceSettings(patch, { expectedVersion: version, actorId: "user_settings_admin" });
}

async function fieldErrorsOf(patch: Record<string, unknown>): Promise<Record<string, string[]>> {
  const error = await set(patch as InstanceSettingsPatch).then(
    () => null,
    (thrown: { code?: string; fields?: Record<string, string[]> }) => thrown,
  );
  expect(error?.code).toBe("validation_failed");
  return error!.fields!;
}

type Route = (request: never) => Promise<Response>;
async function call(route: Route, path: string, body: unknown, jar?: CookieJar) {
  const response = await route(makeRequest(path, { body, jar }) as never);
  jar?.absorb(response);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { errors?: { code: string; field?: string }[] } };
}

async function latestEmail(to: string) {
  const message = await db.outboxMessage.findFirstOrThrow({ where: { to }, orderBy: { createdAt: "desc" } });
  return message.payload as { subject: string; html: string; text: string; preview?: { code?: string; link?: string } };
}

const tokenOf = (link: string) => new URL(link).searchParams.get("token");

describe("settings validation", () => {
  it("defaults keep today's behaviour", () => {
    expect(instanceSettingsDefaults()).toMatchObject({
      verificationEmailContent: "both",
      totpSecondFactor: true,
      afterSignInUrl: "/",
      afterSignUpUrl: "/",
      afterSignOutUrl: "/sign-in",
      socialButtonsPlacement: "top",
      termsUrl: null,
      privacyUrl: null,
    });
  });

  it("landing URLs follow the redirect_url rule: paths here or ALLOWED_REDIRECT_ORIGINS only", async () => {
    process.env.ALLOWED_REDIRECT_ORIGINS = "https://app.example.com";
    resetConfigCache();
    for (const bad of ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example", "", "   "]) {
      expect(Object.keys(await fieldErrorsOf({ afterSignInUrl: bad })), bad).toEqual(["afterSignInUrl"]);
    }
    const saved = await set({ afterSignInUrl: " /welcome ", afterSignUpUrl: "https://app.example.com/onboarding", afterSignOutUrl: "/bye?from=auth" });
    expect(saved.settings).toMatchObject({ afterSignInUrl: "/welcome", afterSignUpUrl: "https://app.example.com/onboarding", afterSignOutUrl: "/bye?from=auth" });
  });

  it("terms and privacy links: https URLs or paths here; blank is null", async () => {
    for (const bad of ["http://example.com/terms", "javascript:alert(1)", "//example.com/terms", "terms", "ftp://example.com/x", "https://user:pw@example.com/"]) {
      expect(Object.keys(await fieldErrorsOf({ termsUrl: bad, privacyUrl: bad })).sort(), bad).toEqual(["privacyUrl", "termsUrl"]);
    }
    const saved = await set({ termsUrl: "https://example.com/terms", privacyUrl: "/privacy" });
    expect(saved.settings).toMatchObject({ termsUrl: "https://example.com/terms", privacyUrl: "/privacy" });
    expect((await set({ termsUrl: null })).settings.termsUrl).toBeNull();
  });

  it("choices refuse values outside their list; each change is audited with its old and new value", async () => {
    const errors = await fieldErrorsOf({ socialButtonsPlacement: "middle", verificationEmailContent: "sms", totpSecondFactor: "no" });
    expect(Object.keys(errors).sort()).toEqual(["socialButtonsPlacement", "totpSecondFactor", "verificationEmailContent"]);
    const saved = await set({ socialButtonsPlacement: "bottom", verificationEmailContent: "code", totpSecondFactor: false });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "settings.updated" }, orderBy: { createdAt: "desc" } });
    expect(audit.data).toMatchObject({ version: saved.version });
    expect(audit).toMatchObject({
      actorId: "user_settings_admin",
      data: {
        changed: {
          socialButtonsPlacement: { from: "top", to: "bottom" },
          verificationEmailContent: { from: "both", to: "code" },
          totpSecondFactor: { from: true, to: false },
        },
      },
    });
  });

  it("a stored URL whose origin left ALLOWED_REDIRECT_ORIGINS falls back to the default", async () => {
    process.env.ALLOWED_REDIRECT_ORIGINS = "https://app.example.com";
    resetConfigCache();
    await set({ afterSignInUrl: "https://app.example.com/home" });
    delete process.env.ALLOWED_REDIRECT_ORIGINS;
    resetConfigCache();
    forgetCachedSettings();
    expect(parseStoredSettings({ afterSignInUrl: "https://app.example.com/home" }, instanceSettingsDefaults()).invalid).toEqual(["afterSignInUrl"]);
    expect((await getInstanceSettings()).afterSignInUrl).toBe("/");
    expect(await redirectAfter("signIn", null)).toBe("/");
  });

  it("the admin API answers 400 with the fields at fault and writes nothing", async () => {
    const adminUser = await signedUpUser();
    await db.user.update({ where: { id: adminUser.userId }, data: { role: "admin" } });
    const { version } = await readInstanceSettings();
    const response = await adminSettingsRoute(
      makeRequest("/api/admin/settings", {
        method: "PATCH",
        jar: adminUser.jar,
        body: { version, afterSignOutUrl: "https://evil.example/", termsUrl: "javascript:alert(1)", socialButtonsPlacement: "bottom" },
      }),
    );
    expect(response.status).toBe(400);
    const fields = ((await response.json()) as { errors: { field?: string }[] }).errors.map((error) => error.field).sort();
    expect(fields).toEqual(["afterSignOutUrl", "termsUrl"]);
    expect((await readInstanceSettings()).version).toBe(version);
  });
});

describe("after-sign-in, after-sign-up and after-sign-out URLs", () => {
  it("sign-in lands on the setting when no (or no allowed) redirect_url is given", async () => {
    await set({ afterSignInUrl: "/welcome-back" });
    const { email, password } = await passwordUser();
    const landing = async (redirectUrl?: string) =>
      (await call(signInRoute, "/api/auth/sign-in", { email, password, ...(redirectUrl ? { redirectUrl } : {}) }, new CookieJar())).json.redirectUrl;
    expect(await landing()).toBe("/welcome-back");
    expect(await landing("/settings")).toBe("/settings");
    expect(await landing("https://evil.example/")).toBe("/welcome-back");
  });

  it("sign-up lands on its own setting, and the token carries the verified state either way", async () => {
    await set({ afterSignUpUrl: "/onboarding", afterSignInUrl: "/home", emailVerificationAtSignUp: false });
    const unverified = await call(signUpRoute, "/api/auth/sign-up", { email: uniqueEmail("direct"), password: STRONG_PASSWORD }, new CookieJar());
    expect(unverified.json).toMatchObject({ status: "complete", redirectUrl: "/onboarding" });

    await set({ emailVerificationAtSignUp: true });
    const email = uniqueEmail("verified");
    const jar = new CookieJar();
    const started = await call(signUpRoute, "/api/auth/sign-up", { email, password: STRONG_PASSWORD }, jar);
    expect(started.json.status).toBe("needs_verification");
    const done = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: started.json.attemptId, code: await latestEmailCode(email) }, jar);
    expect(done.json).toMatchObject({ status: "complete", redirectUrl: "/onboarding" });
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).email_verified).toBe(true);
  });

  it("the unverified sign-up's token says email_verified: false", async () => {
    await set({ emailVerificationAtSignUp: false });
    const jar = new CookieJar();
    await call(signUpRoute, "/api/auth/sign-up", { email: uniqueEmail("claim"), password: STRONG_PASSWORD }, jar);
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).email_verified).toBe(false);
  });

  it("sign-out goes to the setting unless the request names an allowed redirect_url", async () => {
    process.env.ALLOWED_REDIRECT_ORIGINS = "https://www.example.com";
    resetConfigCache();
    await set({ afterSignOutUrl: "https://www.example.com/goodbye" });
    const first = await signedUpUser();
    expect((await call(signOutRoute, "/api/auth/sign-out", {}, first.jar)).json).toEqual({ redirectUrl: "https://www.example.com/goodbye" });
    const second = await signedUpUser();
    expect((await call(signOutRoute, "/api/auth/sign-out", { redirectUrl: "/see-you" }, second.jar)).json).toEqual({ redirectUrl: "/see-you" });
    const third = await signedUpUser();
    expect((await call(signOutRoute, "/api/auth/sign-out", { redirectUrl: "https://evil.example/" }, third.jar)).json).toEqual({
      redirectUrl: "https://www.example.com/goodbye",
    });
  });
});

describe("TOTP on/off instance-wide", () => {
  async function enrolTotp(jar: CookieJar) {
    const started = await call(totpStartRoute, "/api/account/mfa/totp/start", {}, jar);
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    const secret = started.json.secret as string;
    const confirmed = await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", { factorId: started.json.factorId, code: await totpCodeAt(secret, new Date()) }, jar);
    expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
    return secret;
  }

  it("off refuses new enrolments (403) and says so in the MFA status", async () => {
    const user = await signedUpUser();
    const started = await call(totpStartRoute, "/api/account/mfa/totp/start", {}, user.jar);
    expect(started.status).toBe(200);
    await set({ totpSecondFactor: false });
    // A setup begun before the switch does not finish after it.
    const confirmed = await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", { factorId: started.json.factorId, code: await totpCodeAt(started.json.secret as string, new Date()) }, user.jar);
    expect(confirmed.status).toBe(403);
    const again = await call(totpStartRoute, "/api/account/mfa/totp/start", {}, user.jar);
    expect(again.status).toBe(403);
    expect(again.json.errors?.[0]?.code).toBe("forbidden");
    expect(await db.mfaFactor.count({ where: { userId: user.userId, confirmedAt: { not: null } } })).toBe(0);
    expect((await getMfaStatus(user.userId)).totp).toEqual({ available: false, enabled: false });
  });

  it("an app set up before the switch keeps verifying at sign-in: nobody is locked out", async () => {
    const user = await signedUpUser();
    const secret = await enrolTotp(user.jar);
    await set({ totpSecondFactor: false });
    expect((await getMfaStatus(user.userId)).totp).toEqual({ available: false, enabled: true });

    const jar = new CookieJar();
    const first = await call(signInRoute, "/api/auth/sign-in", { email: user.email, password: user.password }, jar);
    expect(first.json).toMatchObject({ status: "needs_second_factor", methods: expect.objectContaining({ totp: true }) });
    const code = await totpCodeAt(secret, new Date(Date.now() + 30_000));
    const second = await call(mfaVerifyRoute, "/api/auth/mfa/verify", { attemptId: first.json.attemptId, method: "totp", code }, jar);
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    expect(second.json.status).toBe("complete");
  });
});

describe("code, link or both in verification emails", () => {
  async function startSignUp() {
    const email = uniqueEmail("verify");
    const jar = new CookieJar();
    const started = await call(signUpRoute, "/api/auth/sign-up", { email, password: STRONG_PASSWORD }, jar);
    expect(started.json.status).toBe("needs_verification");
    return { email, jar, attemptId: started.json.attemptId as string };
  }

  it("code only: the email has no link, and a link from an earlier email is refused", async () => {
    const earlier = await startSignUp();
    const link = (await latestEmail(earlier.email)).preview!.link!;
    await set({ verificationEmailContent: "code" });
    const refused = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token: tokenOf(link) }, earlier.jar);
    expect(refused.status).toBe(403);
    const { code } = (await latestEmail(earlier.email)).preview!;
    const done = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: earlier.attemptId, code }, earlier.jar);
    expect(done.json.status).toBe("complete");

    const next = await startSignUp();
    const mail = await latestEmail(next.email);
    expect(mail.preview?.code).toMatch(/^\d{6}$/);
    expect(mail.preview?.link).toBeUndefined();
    expect(mail.html).not.toContain("/sign-in/confirm");
    expect(mail.subject).toContain(mail.preview!.code!);
  });

  it("link only: the email has no code, a code is refused and the link verifies", async () => {
    const earlier = await startSignUp();
    const { code } = (await latestEmail(earlier.email)).preview!;
    await set({ verificationEmailContent: "link" });
    const refused = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: earlier.attemptId, code }, earlier.jar);
    expect(refused.status).toBe(403);

    const next = await startSignUp();
    const mail = await latestEmail(next.email);
    expect(mail.preview?.code).toBeUndefined();
    expect(mail.preview?.link).toMatch(/\/sign-in\/confirm\?token=/);
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
    expect(mail.subject).toMatch(/^Verify your email address/);
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token: tokenOf(mail.preview!.link!) }, next.jar);
    expect(confirmed.json.status).toBe("complete");
  });

  it("an added address follows the same setting", async () => {
    const user = await signedUpUser();
    await set({ verificationEmailContent: "link" });
    const second = uniqueEmail("added");
    const added = await call(addEmailRoute, "/api/account/emails/add", { email: second }, user.jar);
    expect(added.status, JSON.stringify(added.json)).toBe(200);
    const mail = await latestEmail(second);
    expect(mail.preview?.code).toBeUndefined();
    const emailAddressId = (added.json.emailAddress as { id: string }).id;
    const byCode = await call(verifyEmailRoute, "/api/account/emails/verify", { emailAddressId, code: "123456" }, user.jar);
    expect(byCode.status).toBe(403);
    const byLink = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token: tokenOf(mail.preview!.link!) }, user.jar);
    expect(byLink.json).toEqual({ status: "email_verified" });

    await set({ verificationEmailContent: "code" });
    const third = uniqueEmail("added-code");
    const addedCode = await call(addEmailRoute, "/api/account/emails/add", { email: third }, user.jar);
    const codeMail = await latestEmail(third);
    expect(codeMail.preview?.link).toBeUndefined();
    const verified = await call(
      verifyEmailRoute,
      "/api/account/emails/verify",
      { emailAddressId: (addedCode.json.emailAddress as { id: string }).id, code: codeMail.preview!.code },
      user.jar,
    );
    expect(verified.status, JSON.stringify(verified.json)).toBe(200);
  });
});
