import { describe, expect, it } from "vitest";
import { GET as getProfileRoute, PATCH as patchProfileRoute } from "@/app/api/account/profile/route";
import { GET as usernameRoute } from "@/app/api/account/username/route";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest } from "@/test/http";
import { USERNAME_TAKEN_MESSAGE } from "./username";

function patchProfile(jar: CookieJar, body: unknown) {
  return patchProfileRoute(makeRequest("/api/account/profile", { method: "PATCH", body, jar }));
}

function checkUsername(jar: CookieJar, value: string) {
  return usernameRoute(makeRequest(`/api/account/username?${new URLSearchParams({ value })}`, { jar }));
}

/** A username no other test file's user holds (each file has its own database, tests in a file share it). */
function uniqueUsername(label: string): string {
  return `${label}_${Math.random().toString(36).slice(2, 10)}`;
}

async function userRow(userId: string) {
  return db.user.findUniqueOrThrow({ where: { id: userId }, select: { firstName: true, lastName: true, username: true, updatedAt: true } });
}

type ErrorBody = { errors: { code: string; message: string; field?: string }[] };

describe("profile (S7): PATCH /api/account/profile", () => {
  it("saves first name, last name and username in one request, audited as user.updated with the changed fields", async () => {
    const { jar, userId } = await signedUpUser();
    const username = uniqueUsername("ada");
    const response = await patchProfile(jar, { firstName: "  Ada ", lastName: "Lovelace", username: username.toUpperCase() });
    expect(response.status).toBe(200);
    const { profile } = await response.json();
    expect(profile).toEqual({ id: userId, firstName: "Ada", lastName: "Lovelace", username, imageUrl: null, hasUploadedAvatar: false });
    expect(await userRow(userId)).toMatchObject({ firstName: "Ada", lastName: "Lovelace", username });

    const events = await db.auditEvent.findMany({ where: { type: "user.updated", targetId: userId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: userId, userAgent: "vitest", data: { fields: ["firstName", "lastName", "username"] } });
    // Field names only: the audit log does not copy the values.
    expect(JSON.stringify(events[0]!.data)).not.toContain("Lovelace");

    const read = await getProfileRoute(makeRequest("/api/account/profile", { jar }));
    expect((await read.json()).profile).toEqual(profile);
  });

  it("writes only what changed; an unchanged save is no audit event; empty clears a field", async () => {
    const { jar, userId } = await signedUpUser();
    await patchProfile(jar, { firstName: "Grace", lastName: "Hopper" });
    expect((await patchProfile(jar, { firstName: "Grace", lastName: "Hopper" })).status).toBe(200);
    expect(await db.auditEvent.count({ where: { type: "user.updated", targetId: userId } })).toBe(1);

    const response = await patchProfile(jar, { lastName: "   " });
    expect(response.status).toBe(200);
    expect(await userRow(userId)).toMatchObject({ firstName: "Grace", lastName: null });
    const last = await db.auditEvent.findFirstOrThrow({ where: { type: "user.updated", targetId: userId }, orderBy: { createdAt: "desc" } });
    expect(last.data).toEqual({ fields: ["lastName"] });
  });

  it("refuses a username someone else holds, whatever its case, with a field error, and saves nothing of the request", async () => {
    const first = await signedUpUser();
    const second = await signedUpUser();
    const taken = uniqueUsername("taken");
    expect((await patchProfile(first.jar, { username: taken })).status).toBe(200);

    const before = await userRow(second.userId);
    for (const attempt of [taken, taken.toUpperCase(), `  ${taken}  `]) {
      const response = await patchProfile(second.jar, { firstName: "Should not", username: attempt });
      expect(response.status, attempt).toBe(409);
      expect(((await response.json()) as ErrorBody).errors).toEqual([{ code: "conflict", field: "username", message: USERNAME_TAKEN_MESSAGE }]);
    }
    expect(await userRow(second.userId)).toEqual(before);
    expect(await db.auditEvent.count({ where: { type: "user.updated", targetId: second.userId } })).toBe(0);

    // Even if another account holds it in mixed case (written by an admin or an import), it counts as taken.
    const third = await signedUpUser();
    const mixed = uniqueUsername("Mixed");
    await db.user.update({ where: { id: third.userId }, data: { username: mixed } });
    expect((await patchProfile(second.jar, { username: mixed.toLowerCase() })).status).toBe(409);
  });

  it("refuses usernames with odd characters or the wrong length, with a clear message on the username field", async () => {
    const { jar, userId } = await signedUpUser();
    const cases: [string, RegExp][] = [
      ["ab", /at least 3 characters/],
      ["a".repeat(31), /at most 30 characters/],
      ["has space", /lowercase letters, digits, underscores \(_\) and hyphens \(-\)/],
      ["dot.name", /lowercase letters, digits/],
      ["émile", /lowercase letters, digits/],
      ["<script>", /lowercase letters, digits/],
      ["name\u0000x", /control characters/],
    ];
    for (const [username, message] of cases) {
      const response = await patchProfile(jar, { firstName: "Nope", username });
      expect(response.status, username).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors, username).toEqual([{ code: "validation_failed", field: "username", message: expect.stringMatching(message) }]);
    }
    expect(await userRow(userId)).toMatchObject({ firstName: null, username: null });
  });

  it("refuses unknown fields (no writing imageUrl or metadata through the profile), names over 100 characters, and no session", async () => {
    const { jar } = await signedUpUser();
    const unknown = await patchProfile(jar, { imageUrl: "https://evil.example/x.png", privateMetadata: {} });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorBody).errors.map((error) => error.field).sort()).toEqual(["imageUrl", "privateMetadata"]);
    const long = await patchProfile(jar, { firstName: "x".repeat(101) });
    expect(long.status).toBe(400);
    expect(((await long.json()) as ErrorBody).errors).toEqual([{ code: "validation_failed", field: "firstName", message: "First name is too long." }]);
    expect((await patchProfile(new CookieJar(), { firstName: "Anon" })).status).toBe(401);
  });

  it("refuses a cross-site request (Origin check)", async () => {
    const { jar, userId } = await signedUpUser();
    const response = await patchProfileRoute(
      makeRequest("/api/account/profile", { method: "PATCH", body: { firstName: "Mallory" }, jar, headers: { origin: "https://evil.example" } }),
    );
    expect(response.status).toBe(403);
    expect(await userRow(userId)).toMatchObject({ firstName: null });
  });

  it("two accounts saving the same new username at once: exactly one gets it", async () => {
    const [a, b] = await Promise.all([signedUpUser(), signedUpUser()]);
    const contested = uniqueUsername("race");
    const statuses = (await Promise.all([patchProfile(a.jar, { username: contested }), patchProfile(b.jar, { username: contested })])).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await db.user.count({ where: { username: contested } })).toBe(1);
  });
});

describe("username check (S7): GET /api/account/username?value=", () => {
  it("answers available, taken (case-insensitive) or why the format is wrong; the user's own name is available", async () => {
    const owner = await signedUpUser();
    const other = await signedUpUser();
    const name = uniqueUsername("check");
    await patchProfile(owner.jar, { username: name });

    expect(await (await checkUsername(other.jar, uniqueUsername("free"))).json()).toMatchObject({ available: true, message: null });
    expect(await (await checkUsername(other.jar, name.toUpperCase())).json()).toEqual({ username: name, available: false, message: USERNAME_TAKEN_MESSAGE });
    expect(await (await checkUsername(owner.jar, name)).json()).toEqual({ username: name, available: true, message: null });
    expect(await (await checkUsername(other.jar, "no way!")).json()).toMatchObject({ available: false, message: expect.stringMatching(/lowercase letters/) });
  });

  it("needs a session and a value", async () => {
    expect((await checkUsername(new CookieJar(), "anyone")).status).toBe(401);
    const { jar } = await signedUpUser();
    const missing = await usernameRoute(makeRequest("/api/account/username", { jar }));
    expect(missing.status).toBe(400);
  });
});
