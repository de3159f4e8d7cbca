import { readdirSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { GET as getMetadataRoute, PATCH as patchMetadataRoute } from "@/app/api/account/metadata/route";
import { DELETE as removeAvatarRoute, POST as uploadAvatarRoute } from "@/app/api/account/avatar/route";
import { GET as getProfileRoute, PATCH as patchProfileRoute } from "@/app/api/account/profile/route";
import { GET as usernameRoute } from "@/app/api/account/username/route";
import { GET as sessionRoute } from "@/app/api/auth/session/route";
import { GET as avatarImageRoute } from "@/app/avatars/[userId]/route";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";
import { getAccountProfile } from "./profile";
import { METADATA_MAX_BYTES } from "./metadata";

type ErrorBody = { errors: { code: string; message: string; field?: string }[] };

function patchMetadata(jar: CookieJar, body: unknown) {
  return patchMetadataRoute(makeRequest("/api/account/metadata", { method: "PATCH", body, jar }));
}

async function metadataOf(userId: string) {
  return db.user.findUniqueOrThrow({ where: { id: userId }, select: { publicMetadata: true, privateMetadata: true, unsafeMetadata: true } });
}

describe("metadata (S7): GET/PATCH /api/account/metadata", () => {
  it("the user reads public + unsafe metadata and replaces unsafe metadata; audited as user.updated", async () => {
    const { jar, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { publicMetadata: { plan: "pro" }, privateMetadata: { stripeId: "cus_123" } } });
    const read = await getMetadataRoute(makeRequest("/api/account/metadata", { jar }));
    expect(await read.json()).toEqual({ publicMetadata: { plan: "pro" }, unsafeMetadata: {} });

    const unsafeMetadata = { theme: "dark", onboarding: { step: 3, done: false }, tags: ["a", "b"], note: "naïve ☕" };
    const response = await patchMetadata(jar, { unsafeMetadata });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ publicMetadata: { plan: "pro" }, unsafeMetadata });
    expect(await metadataOf(userId)).toEqual({ publicMetadata: { plan: "pro" }, privateMetadata: { stripeId: "cus_123" }, unsafeMetadata });
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "user.updated", targetId: userId } });
    expect(event.data).toEqual({ fields: ["unsafeMetadata"] });

    // The same object again: no write, no event.
    await patchMetadata(jar, { unsafeMetadata });
    expect(await db.auditEvent.count({ where: { type: "user.updated", targetId: userId } })).toBe(1);
  });

  it("accepts exactly 8 KB serialized and refuses one byte more, counting UTF-8 bytes", async () => {
    const { jar, userId } = await signedUpUser();
    const wrapper = JSON.stringify({ v: "" }).length;
    const exact = { v: "x".repeat(METADATA_MAX_BYTES - wrapper) };
    expect((await patchMetadata(jar, { unsafeMetadata: exact })).status).toBe(200);
    const over = { v: "x".repeat(METADATA_MAX_BYTES - wrapper + 1) };
    const response = await patchMetadata(jar, { unsafeMetadata: over });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).errors).toEqual([
      { code: "validation_failed", field: "unsafeMetadata", message: "Metadata must be at most 8 KB as JSON." },
    ]);
    // Multi-byte characters count as bytes: 3000 "€" are 9000 bytes.
    expect((await patchMetadata(jar, { unsafeMetadata: { v: "€".repeat(3000) } })).status).toBe(400);
    expect((await metadataOf(userId)).unsafeMetadata).toEqual(exact);
  });

  describe("bad input: a clear 4xx with a field error, and nothing changes", () => {
    const cases: [string, unknown][] = [
      ["an array", ["a", "b"]],
      ["a string (JSON text is not parsed for you)", '{"theme":"dark"}'],
      ["invalid JSON text", "{theme: dark"],
      ["a number", 42],
      ["null", null],
      ["true", true],
      ["missing", undefined],
    ];
    for (const [label, unsafeMetadata] of cases) {
      it(`unsafeMetadata as ${label}`, async () => {
        const { jar, userId } = await signedUpUser();
        await patchMetadata(jar, { unsafeMetadata: { kept: true } });
        const response = await patchMetadata(jar, unsafeMetadata === undefined ? {} : { unsafeMetadata });
        expect(response.status).toBe(400);
        expect(((await response.json()) as ErrorBody).errors).toEqual([
          { code: "validation_failed", field: "unsafeMetadata", message: 'Metadata must be a JSON object, like {"theme": "dark"}.' },
        ]);
        expect((await metadataOf(userId)).unsafeMetadata).toEqual({ kept: true });
      });
    }

    it("a body that is not JSON at all", async () => {
      const { jar, userId } = await signedUpUser();
      const response = await patchMetadataRoute(makeRequest("/api/account/metadata", { method: "PATCH", rawBody: '{"unsafeMetadata": {', jar }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).errors).toEqual([{ code: "invalid_json", message: "The request body is not valid JSON." }]);
      expect((await metadataOf(userId)).unsafeMetadata).toEqual({});
    });

    it("writing public or private metadata: unknown fields", async () => {
      const { jar, userId } = await signedUpUser();
      const response = await patchMetadata(jar, { unsafeMetadata: {}, publicMetadata: { role: "admin" }, privateMetadata: { x: 1 } });
      expect(response.status).toBe(400);
      const fields = ((await response.json()) as ErrorBody).errors.map((error) => error.field).sort();
      expect(fields).toEqual(["privateMetadata", "publicMetadata"]);
      expect(await metadataOf(userId)).toEqual({ publicMetadata: {}, privateMetadata: {}, unsafeMetadata: {} });
    });

    it("no session, or a cross-site request", async () => {
      const { jar, userId } = await signedUpUser();
      expect((await patchMetadata(new CookieJar(), { unsafeMetadata: { a: 1 } })).status).toBe(401);
      const crossSite = await patchMetadataRoute(
        makeRequest("/api/account/metadata", { method: "PATCH", body: { unsafeMetadata: { a: 1 } }, jar, headers: { origin: "https://evil.example" } }),
      );
      expect(crossSite.status).toBe(403);
      expect((await metadataOf(userId)).unsafeMetadata).toEqual({});
    });
  });
});

/** Every route.ts under a folder, as its URL path ("[provider]" segments filled with a placeholder). */
function routesUnder(folder: string): { file: string; path: string }[] {
  const root = path.resolve(__dirname, "../..");
  return (readdirSync(path.join(root, folder), { recursive: true }) as string[])
    .filter((file) => path.basename(file) === "route.ts")
    .map((file) => {
      const route = path.join(folder, path.dirname(file)).replace(/^app/, "").replace(/\[[^\]]+\]/g, "x");
      return { file: `@/${folder}/${file.replace(/\.ts$/, "")}`, path: route.replace(/\\/g, "/") };
    });
}

describe("private metadata never reaches a browser (S7)", () => {
  it("walks every browser-facing account and auth response for a user whose privateMetadata holds a marker", async () => {
    const marker = `private-marker-${Math.random().toString(36).slice(2)}`;
    const { jar, userId } = await signedUpUser();
    await db.user.update({
      where: { id: userId },
      data: { privateMetadata: { secret: marker, nested: { [marker]: marker } }, publicMetadata: { plan: "free" } },
    });
    const seen: string[] = [];
    async function check(label: string, response: Response): Promise<void> {
      const text = Buffer.from(await response.arrayBuffer()).toString("latin1");
      const headers = JSON.stringify([...response.headers.entries()]);
      seen.push(`${label} ${response.status}`);
      expect(text, label).not.toContain(marker);
      expect(headers, label).not.toContain(marker);
    }

    // The routes this issue added, with real successful calls (reads and every kind of write).
    await check("GET /api/auth/session", await sessionRoute(makeRequest("/api/auth/session", { jar })));
    await check("GET /api/account/profile", await getProfileRoute(makeRequest("/api/account/profile", { jar })));
    await check(
      "PATCH /api/account/profile",
      await patchProfileRoute(makeRequest("/api/account/profile", { method: "PATCH", body: { firstName: "Priv", username: `p_${Date.now()}` }, jar })),
    );
    await check("GET /api/account/username", await usernameRoute(makeRequest("/api/account/username?value=someone", { jar })));
    await check("GET /api/account/metadata", await getMetadataRoute(makeRequest("/api/account/metadata", { jar })));
    await check("PATCH /api/account/metadata", await patchMetadata(jar, { unsafeMetadata: { theme: "dark" } }));
    await check("PATCH /api/account/metadata (refused)", await patchMetadata(jar, { unsafeMetadata: [marker] }));
    const form = new FormData();
    form.set("file", new Blob([new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } }).png().toBuffer())]), "a.png");
    await check(
      "POST /api/account/avatar",
      await uploadAvatarRoute(new NextRequest(new URL("/api/account/avatar", ORIGIN), { method: "POST", headers: { origin: ORIGIN, cookie: jar.header() }, body: form })),
    );
    await check("GET /avatars/<id> (upload)", await avatarImageRoute(makeRequest(`/avatars/${userId}`), { params: Promise.resolve({ userId }) }));
    await check("DELETE /api/account/avatar", await removeAvatarRoute(makeRequest("/api/account/avatar", { method: "DELETE", jar })));
    await check("GET /avatars/<id> (generated)", await avatarImageRoute(makeRequest(`/avatars/${userId}`), { params: Promise.resolve({ userId }) }));

    // Every GET of the account and auth APIs, including routes added later by others (found on disk).
    for (const route of [...routesUnder("app/api/account"), ...routesUnder("app/api/auth")]) {
      const module = (await import(/* @vite-ignore */ route.file)) as Record<string, unknown>;
      const get = module.GET as ((request: NextRequest, context: unknown) => Promise<Response>) | undefined;
      if (typeof get !== "function") continue;
      const context = { params: Promise.resolve(new Proxy({}, { get: () => "x" })) };
      await check(`GET ${route.path}`, await get(makeRequest(route.path, { jar }), context));
    }

    // The account page renders from these loaders only (app/(account)/account/page.tsx).
    expect(JSON.stringify(await getAccountProfile(userId))).not.toContain(marker);
    // Still signed in at the end, so the walk really saw the user's own responses.
    expect((await sessionRoute(makeRequest("/api/auth/session", { jar }))).status).toBe(200);
    console.info(`[private-metadata walk] ${seen.join(" | ")}`);
    expect(seen.length).toBeGreaterThan(12);
    expect(seen.filter((line) => line.endsWith(" 200")).length).toBeGreaterThan(8);
  });
});
