import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { saveOAuthProvider } from "@/lib/oauth";
import { forgetCachedSettings, NO_SIGN_IN_METHOD_MESSAGE, readInstanceSettings } from "@/lib/settings";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest } from "@/test/http";
import { GET, PATCH } from "./route";

/** S8: the admin settings API: validation with field errors, versions, step-up, no secrets out. */
afterEach(async () => {
  await db.instanceSettings.deleteMany();
  forgetCachedSettings();
});

type Body = {
  settings?: Record<string, unknown> & { oauthProviders?: Record<string, Record<string, unknown>> };
  version?: number;
  errors?: { code: string; message: string; field?: string }[];
};

async function admin() {
  const user = await signedUpUser();
  await db.user.update({ where: { id: user.userId }, data: { role: "admin" } });
  return user;
}

async function get(jar: CookieJar) {
  const response = await GET(makeRequest("/api/admin/settings", { jar }));
  return { status: response.status, json: (await response.json()) as Body };
}

async function patch(jar: CookieJar, body: unknown) {
  const response = await PATCH(makeRequest("/api/admin/settings", { method: "PATCH", body, jar }));
  return { status: response.status, json: (await response.json()) as Body };
}

const fieldsOf = (json: Body) => Object.fromEntries((json.errors ?? []).map((error) => [error.field, error.message]));

describe("admin settings API (S8)", () => {
  it("reads the settings with their version; OAuth client secrets never leave, not even encrypted", async () => {
    const { jar } = await admin();
    await saveOAuthProvider({ id: "github", clientId: "gh-client", clientSecret: "gh-very-secret" }, { actorId: null });
    const read = await get(jar);
    expect(read.status).toBe(200);
    expect(read.json.version).toBe(1);
    expect(read.json.settings).toMatchObject({ passwordSignIn: true, signUpMode: "public", allowlist: [], passwordMinLength: 8 });
    expect(read.json.settings?.oauthProviders?.github).toEqual({ enabled: true, clientId: "gh-client", hasClientSecret: true });
    expect(JSON.stringify(read.json)).not.toMatch(/clientSecret"|gh-very-secret|v1\./);
  });

  it("saves a partial change based on the version read; a stale version answers 409 and writes nothing", async () => {
    const { jar, userId } = await admin();
    const { version } = (await get(jar)).json;
    const saved = await patch(jar, { version, signUpMode: "restricted", allowlist: ["@Example.org", "ada@partner.test", "", "example.org"], passwordMinLength: 12 });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json.version).toBe(version! + 1);
    expect(saved.json.settings).toMatchObject({ signUpMode: "restricted", allowlist: ["example.org", "ada@partner.test"], passwordMinLength: 12 });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "settings.updated", actorId: userId } });
    expect(audit.data).toMatchObject({ changed: { signUpMode: { from: "public", to: "restricted" } } });

    const stale = await patch(jar, { version, multiSession: true });
    expect(stale.status).toBe(409);
    expect((await readInstanceSettings()).settings.multiSession).toBe(false);
  });

  it("bad values answer 400 with a field error each, and nothing is written", async () => {
    const { jar } = await admin();
    const { version } = (await get(jar)).json;
    const bad = await patch(jar, {
      version,
      signUpMode: "everyone",
      passwordMinLength: 7,
      sessionMaxAgeDays: 0,
      blocklist: ["spam.test", "not a domain", "bob@"],
      allowlist: "example.org",
      nope: true,
    });
    expect(bad.status).toBe(400);
    const fields = fieldsOf(bad.json);
    expect(Object.keys(fields).sort()).toEqual(["allowlist", "blocklist", "nope", "passwordMinLength", "sessionMaxAgeDays", "signUpMode"]);
    expect(fields.blocklist).toContain("“not a domain”, “bob@”");
    expect(fields.passwordMinLength).toMatch(/at least 8/);
    expect(await db.instanceSettings.count()).toBe(0);

    // Too many entries; OAuth providers only through their own form; the version is required.
    const many = Array.from({ length: 1001 }, (_, index) => `user${index}@example.org`);
    expect(fieldsOf((await patch(jar, { version, allowlist: many })).json).allowlist).toMatch(/at most 1000/);
    expect((await patch(jar, { version, oauthProviders: {} })).status).toBe(400);
    expect(fieldsOf((await patch(jar, { multiSession: true })).json).version).toBeDefined();
    expect(await db.instanceSettings.count()).toBe(0);
  });

  it("refuses to turn off every way to sign in, also across two saves", async () => {
    const { jar } = await admin();
    const { version } = (await get(jar)).json;
    const allOff = await patch(jar, { version, passwordSignIn: false, emailCodeSignIn: false, emailLinkSignIn: false, oauthSignIn: false });
    expect(allOff.status).toBe(400);
    expect(allOff.json.errors).toEqual([{ code: "validation_failed", field: "signInMethods", message: NO_SIGN_IN_METHOD_MESSAGE }]);

    const threeOff = await patch(jar, { version, passwordSignIn: false, emailCodeSignIn: false, emailLinkSignIn: false });
    expect(threeOff.status).toBe(200);
    const lastOff = await patch(jar, { version: threeOff.json.version, oauthSignIn: false });
    expect(lastOff.status).toBe(400);
    expect((await readInstanceSettings()).settings).toMatchObject({ oauthSignIn: true, passwordSignIn: false });
  });

  it("non-admins get 403; writes need a recent verification (step-up)", async () => {
    const user = await signedUpUser();
    expect((await get(user.jar)).status).toBe(403);
    expect((await patch(user.jar, { version: 0, multiSession: true })).status).toBe(403);

    const { jar, userId } = await admin();
    await db.session.updateMany({ where: { userId }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const needsStepUp = await patch(jar, { version: 0, multiSession: true });
    expect(needsStepUp.status).toBe(403);
    expect(needsStepUp.json.errors?.[0]?.code).toBe("reverification_required");
    expect(await db.instanceSettings.count()).toBe(0);
    // Reading needs no step-up.
    expect((await get(jar)).status).toBe(200);
  });
});
