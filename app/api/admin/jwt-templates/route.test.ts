import crypto from "node:crypto";
import type { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest } from "@/test/http";
import { GET as listRoute, POST as createRoute } from "./route";
import { GET as getRoute, PATCH as patchRoute } from "./[templateId]/route";
import { POST as deleteRoute } from "./[templateId]/delete/route";
import { POST as previewRoute } from "./preview/route";

/** S9: the admin JWT template API: field errors with paths, step-up on secrets and deletion, the live preview. */
type Json = Record<string, unknown> & { errors?: { code: string; message: string; field?: string }[] };
type Route = (request: NextRequest, context: { params: Promise<{ templateId: string }> }) => Promise<Response>;

async function call(run: Route | ((request: NextRequest) => Promise<Response>), path: string, jar: CookieJar, options: { method?: string; body?: unknown; templateId?: string } = {}) {
  const request = makeRequest(path, { method: options.method, body: options.body, jar });
  const response = await (run as Route)(request, { params: Promise.resolve({ templateId: options.templateId ?? "" }) });
  return { status: response.status, json: (await response.json()) as Json };
}

async function signedInAdmin() {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return admin;
}

const staleVerification = (userId: string) => db.session.updateMany({ where: { userId }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
const uniqueName = (label: string) => `${label}-${crypto.randomBytes(4).toString("hex")}`;
const fieldErrors = (json: Json) => Object.fromEntries((json.errors ?? []).map((error) => [error.field, error.message]));

describe("/api/admin/jwt-templates", () => {
  it("refuses bad input with 400 naming the field, and the JSON path for a shortcode", async () => {
    const { jar } = await signedInAdmin();
    const cases: [unknown, string, RegExp][] = [
      [{ name: uniqueName("a"), claims: '{"app": {"role": "{{user.foo}}"}}' }, "claims", /^Unknown shortcode \{\{user\.foo\}\} at \$\.app\.role$/],
      [{ name: uniqueName("b"), claims: '{"aud": ' }, "claims", /^Invalid JSON at line 1/],
      [{ name: uniqueName("c"), claims: '{"sub": "x"}' }, "claims", /"sub" is reserved/],
      [{ name: uniqueName("d"), lifetimeSeconds: 10 }, "lifetimeSeconds", /between 30 seconds and 24 hours/],
      [{ name: uniqueName("e"), lifetimeSeconds: 90_000 }, "lifetimeSeconds", /between 30 seconds and 24 hours/],
      [{ name: uniqueName("f"), clockSkewSeconds: 120 }, "clockSkewSeconds", /between 0 and 60/],
      [{ name: "has spaces" }, "name", /Use letters, digits/],
      [{ name: uniqueName("g"), signing: { kind: "hs256", secret: "short" } }, "signing.secret", /at least 32 bytes/],
      [{ name: uniqueName("h"), signing: { kind: "magic" } }, "signing.kind", /Choose how tokens are signed/],
    ];
    for (const [body, field, message] of cases) {
      const result = await call(createRoute, "/api/admin/jwt-templates", jar, { body });
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(fieldErrors(result.json)[field], JSON.stringify(result.json)).toMatch(message);
    }
    expect(await db.jwtTemplate.count()).toBe(0);
  });

  it("creates, reads, lists, updates; setting a secret and deleting need a recent verification", async () => {
    const { jar, userId } = await signedInAdmin();
    const name = uniqueName("hasura");
    const created = await call(createRoute, "/api/admin/jwt-templates", jar, {
      body: { name, claims: '{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}', preset: "hasura" },
    });
    expect(created.status).toBe(201);
    const id = (created.json.template as { id: string }).id;
    expect((await call(getRoute, `/api/admin/jwt-templates/${id}`, jar, { templateId: id })).json.template).toMatchObject({ name, preset: "hasura" });
    expect(((await call(listRoute, "/api/admin/jwt-templates", jar)).json.templates as { id: string }[]).map((t) => t.id)).toContain(id);

    // An instance-key template changes without a step-up; a secret or a deletion needs one.
    await staleVerification(userId);
    const renamed = await call(patchRoute, `/api/admin/jwt-templates/${id}`, jar, { method: "PATCH", templateId: id, body: { name: `${name}-2`, lifetimeSeconds: 120 } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.template).toMatchObject({ name: `${name}-2`, lifetimeSeconds: 120 });

    const secretBody = { name: `${name}-2`, signing: { kind: "hs256", secret: "a-secret-that-is-long-enough-for-hs256!!" } };
    const needsStepUp = await call(patchRoute, `/api/admin/jwt-templates/${id}`, jar, { method: "PATCH", templateId: id, body: secretBody });
    expect(needsStepUp.status).toBe(403);
    expect(needsStepUp.json.errors?.[0]?.code).toBe("reverification_required");
    const createWithSecret = await call(createRoute, "/api/admin/jwt-templates", jar, { body: { ...secretBody, name: uniqueName("s") } });
    expect(createWithSecret.json.errors?.[0]?.code).toBe("reverification_required");
    const deleteStale = await call(deleteRoute, `/api/admin/jwt-templates/${id}/delete`, jar, { body: {}, templateId: id });
    expect(deleteStale.json.errors?.[0]?.code).toBe("reverification_required");
    expect(await db.jwtTemplate.findUniqueOrThrow({ where: { id } })).toMatchObject({ algorithm: "ES256", secretEncrypted: null });

    await db.session.updateMany({ where: { userId }, data: { verifiedAt: new Date() } });
    const withSecret = await call(patchRoute, `/api/admin/jwt-templates/${id}`, jar, { method: "PATCH", templateId: id, body: secretBody });
    expect(withSecret.status).toBe(200);
    expect(withSecret.json.template).toMatchObject({ signing: { kind: "hs256", hasSecret: true } });
    expect(JSON.stringify(withSecret.json)).not.toContain("long-enough");

    expect((await call(deleteRoute, `/api/admin/jwt-templates/${id}/delete`, jar, { body: {}, templateId: id })).status).toBe(200);
    expect((await call(getRoute, `/api/admin/jwt-templates/${id}`, jar, { templateId: id })).status).toBe(404);
    expect((await call(getRoute, "/api/admin/jwt-templates/not-an-id", jar, { templateId: "not-an-id" })).status).toBe(404);
  });

  it("previews claims for a chosen user without saving", async () => {
    const { jar } = await signedInAdmin();
    const target = await signedUpUser();
    await db.user.update({ where: { id: target.userId }, data: { publicMetadata: { role: "editor" } } });
    const preview = await call(previewRoute, "/api/admin/jwt-templates/preview", jar, {
      body: { claims: '{"email": "{{user.primary_email_address}}", "role": "{{user.public_metadata.role}}"}', userId: target.userId },
    });
    expect(preview.status).toBe(200);
    expect(preview.json.preview).toMatchObject({ claims: { email: target.email, role: "editor" }, payload: { sub: target.userId, role: "editor" } });

    const invalid = await call(previewRoute, "/api/admin/jwt-templates/preview", jar, { body: { claims: '{"a": "{{user.nope}}"}', userId: target.userId } });
    expect(invalid.status).toBe(400);
    expect(fieldErrors(invalid.json).claims).toBe("Unknown shortcode {{user.nope}} at $.a");
    expect(await db.jwtTemplate.count()).toBe(0);
  });

  it("answers 403 to a signed-in user who is not an admin", async () => {
    const { jar } = await signedUpUser();
    expect((await call(listRoute, "/api/admin/jwt-templates", jar)).status).toBe(403);
    expect((await call(createRoute, "/api/admin/jwt-templates", jar, { body: { name: uniqueName("x") } })).status).toBe(403);
    expect((await call(previewRoute, "/api/admin/jwt-templates/preview", jar, { body: { claims: "{}", userId: "user_x" } })).status).toBe(403);
  });
});
