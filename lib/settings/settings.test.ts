import { afterEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { resetConfigCache } from "@/lib/config";
import { db } from "@/lib/db";
import { CLIENT_COOKIE } from "@/lib/edge";
import { passwordUser } from "@/security/helpers";
import { makeRequest } from "@/test/http";
import {
  forgetCachedSettings,
  getInstanceSettings,
  parseStoredSettings,
  readInstanceSettings,
  updateInstanceSettings,
  instanceSettingsDefaults,
} from "./index";

// This file has its own database (test/setup-env.ts): what it stores is seen by no other file.
afterEach(async () => {
  await db.instanceSettings.deleteMany();
  forgetCachedSettings();
  delete process.env.AUTH_SESSION_MAX_AGE_DAYS;
  resetConfigCache();
});

describe("instance settings: one tree (env defaults, stored overrides)", () => {
  it("takes defaults from the environment and overrides them from the database", async () => {
    process.env.AUTH_SESSION_MAX_AGE_DAYS = "3";
    resetConfigCache();
    expect((await getInstanceSettings()).sessionMaxAgeDays).toBe(3);
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ sessionMaxAgeDays: 30 }, { expectedVersion: version });
    expect((await getInstanceSettings()).sessionMaxAgeDays).toBe(30);
  });

  it("a stored field that no longer validates falls back alone; the others keep their values", async () => {
    await db.instanceSettings.create({
      data: { id: "default", data: { multiSession: true, passwordMinScore: 9, brandColor: "red", emailLinkCrossDevice: true } },
    });
    const settings = await getInstanceSettings();
    const defaults = instanceSettingsDefaults();
    expect(settings).toMatchObject({ multiSession: true, emailLinkCrossDevice: true });
    expect(settings.passwordMinScore).toBe(defaults.passwordMinScore);
    expect(settings.brandColor).toBe(defaults.brandColor);
    expect(parseStoredSettings({ passwordMinScore: 9, multiSession: true }, defaults).invalid).toEqual(["passwordMinScore"]);
  });

  it("refuses a write based on a stale version (no lost update), audits each write with what changed", async () => {
    const start = await readInstanceSettings();
    const first = await updateInstanceSettings({ multiSession: true }, { expectedVersion: start.version, actorId: "user_admin1" });
    expect(first.version).toBe(start.version + 1);
    // A second admin saved from the same (now stale) page.
    await expect(
      updateInstanceSettings({ passwordMinScore: 3 }, { expectedVersion: start.version, actorId: "user_admin2" }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect((await readInstanceSettings()).settings).toMatchObject({ multiSession: true, passwordMinScore: 2 });

    const events = await db.auditEvent.findMany({ where: { type: "settings.updated", actorId: { in: ["user_admin1", "user_admin2"] } } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: "user_admin1", data: { version: first.version, changed: { multiSession: { from: false, to: true } } } });
  });

  it("two writers racing on one version: exactly one wins", async () => {
    const { version } = await readInstanceSettings();
    const results = await Promise.allSettled(
      [1, 3].map((score) => updateInstanceSettings({ passwordMinScore: score }, { expectedVersion: version })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(1);
  });

  it("refuses unknown or invalid settings with field errors", async () => {
    const { version } = await readInstanceSettings();
    await expect(
      updateInstanceSettings({ passwordMinScore: 7, nope: true } as never, { expectedVersion: version }),
    ).rejects.toMatchObject({ code: "validation_failed", fields: { passwordMinScore: expect.any(Array), nope: ["Unknown setting."] } });
  });

  it("the __client cookie lives as long as the session-lifetime setting, not the env default", async () => {
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ sessionMaxAgeDays: 30 }, { expectedVersion: version });
    const { email, password } = await passwordUser();
    const response = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password } }));
    expect(response.status).toBe(200);
    const client = response.headers.getSetCookie().find((line) => line.startsWith(`${CLIENT_COOKIE}=`))!;
    expect(client).toMatch(new RegExp(`Max-Age=${30 * 86_400}\\b`, "i"));
  });
});
