import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { createJwtTemplate } from "@/lib/jwt-templates";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, decodeJwtPayload, makeRequest } from "@/test/http";
import { POST } from "./route";

/** S2, S9: `getToken({ template })`'s route: same-origin, signed in, the caller's own session. */
const tokenRequest = (jar: CookieJar, body: unknown, headers: Record<string, string> = {}) => makeRequest("/api/auth/session/token", { body, jar, headers });

describe("POST /api/auth/session/token", () => {
  it("mints the named template for the caller's session", async () => {
    const { jar, userId } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid;
    const template = await createJwtTemplate({ name: "hasura-route", claims: '{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "{{user.id}}"}}' }, { actorId: null });
    const response = await POST(tokenRequest(jar, { template: template.name }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { jwt: string; expiresAt: number };
    expect(decodeJwtPayload(body.jwt)).toMatchObject({ iss: ORIGIN, sub: userId, sid, "https://hasura.io/jwt/claims": { "x-hasura-user-id": userId } });
    expect(body.expiresAt).toBe(decodeJwtPayload(body.jwt).exp);
  });

  it("carries act when an admin impersonates the session's user", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    const impersonator = await signedUpUser();
    await db.session.update({ where: { id: sid }, data: { actorId: impersonator.userId } });
    await createJwtTemplate({ name: "acting", claims: '{"by": "{{session.actor}}"}' }, { actorId: null });
    const response = await POST(tokenRequest(jar, { template: "acting" }));
    expect(decodeJwtPayload(((await response.json()) as { jwt: string }).jwt)).toMatchObject({
      act: { sub: impersonator.userId },
      by: { sub: impersonator.userId },
    });
  });

  it("without a template, a fresh session token (and a renewed cookie)", async () => {
    const { jar, userId } = await signedUpUser();
    const response = await POST(tokenRequest(jar, {}));
    expect(response.status).toBe(200);
    const { jwt } = (await response.json()) as { jwt: string };
    expect(decodeJwtPayload(jwt)).toMatchObject({ sub: userId, iss: ORIGIN, v: expect.any(Number) });
    jar.absorb(response);
    expect(jar.values.get(SESSION_COOKIE)).toBe(jwt);
  });

  it("401 signed out, 404 for an unknown template, 400 for a malformed name, 403 cross-origin", async () => {
    const signedOut = await POST(tokenRequest(new CookieJar(), { template: "anything" }));
    expect(signedOut.status).toBe(401);

    const { jar } = await signedUpUser();
    const unknown = await POST(tokenRequest(jar, { template: "no-such-template" }));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("not_found");

    expect((await POST(tokenRequest(jar, { template: "../etc" }))).status).toBe(400);
    expect((await POST(tokenRequest(jar, { template: "ok", extra: 1 }))).status).toBe(400);

    await createJwtTemplate({ name: "cross" }, { actorId: null });
    const crossOrigin = await POST(tokenRequest(jar, { template: "cross" }, { origin: "https://evil.example" }));
    expect(crossOrigin.status).toBe(403);
  });

  it("401 once the session has ended, even with a token that has not expired yet", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await createJwtTemplate({ name: "ended" }, { actorId: null });
    await db.session.update({ where: { id: sid }, data: { status: "revoked", endedAt: new Date() } });
    expect((await POST(tokenRequest(jar, { template: "ended" }))).status).toBe(401);
  });
});
