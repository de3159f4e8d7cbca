import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import jwt, { type JwtHeader, type JwtPayload, type SigningKeyCallback } from "jsonwebtoken";
import jwksClient from "jwks-rsa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { getPublicJwks } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN, decodeJwtPayload } from "@/test/http";
import { FIREBASE_AUDIENCE, PRESETS, createJwtTemplate, mintTemplateToken, previewTemplate, updateJwtTemplate, type JwtTemplateInput } from "./index";

/**
 * S9 with clients nobody here wrote: `jsonwebtoken` + `jwks-rsa` verify our
 * tokens from the live JWKS served over HTTP; HS256 and RS256 template tokens
 * verify with the configured secret or public key; a Firebase-preset token
 * carries exactly the claims Firebase documents for custom tokens.
 */
let server: http.Server;
let jwksUri: string;
let jwksFetches = 0;

beforeAll(async () => {
  server = http.createServer(async (_request, response) => {
    jwksFetches += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(await getPublicJwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => server.close());

const admin = { actorId: null };
const presetInput = (id: keyof typeof PRESETS, extra: Partial<JwtTemplateInput> = {}): JwtTemplateInput => {
  const preset = PRESETS[id];
  return {
    name: `${preset.name}-${crypto.randomBytes(3).toString("hex")}`,
    lifetimeSeconds: preset.lifetimeSeconds,
    clockSkewSeconds: preset.clockSkewSeconds,
    claims: JSON.stringify(preset.claims),
    signing: { kind: "instance" },
    preset: id,
    ...extra,
  };
};

/** A signed-up user with a name and public metadata, and their session id. */
async function userWithSession() {
  const user = await signedUpUser();
  await db.user.update({
    where: { id: user.userId },
    data: { firstName: "Ada", lastName: "Lovelace", publicMetadata: { role: "editor", plan: { tier: "pro" } } },
  });
  const sessionId = decodeJwtPayload(user.jar.values.get(SESSION_COOKIE)!).sid as string;
  return { ...user, sessionId };
}

function verifyWithJwks(token: string, options: jwt.VerifyOptions): Promise<JwtPayload> {
  const client = jwksClient({ jwksUri, cache: true });
  const getKey = (header: JwtHeader, callback: SigningKeyCallback) =>
    client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
  return new Promise((resolve, reject) =>
    jwt.verify(token, getKey, { ...options, complete: false }, (error, payload) => (error ? reject(error) : resolve(payload as JwtPayload))),
  );
}

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

describe("mintTemplateToken", () => {
  it("ES256 (Hasura preset): jsonwebtoken + jwks-rsa verify it, and our session token, from the live JWKS", async () => {
    const { jar, userId, sessionId } = await userWithSession();
    const template = await createJwtTemplate(presetInput("hasura", { lifetimeSeconds: 120, clockSkewSeconds: 7 }), admin);
    const { jwt: token, expiresAt } = await mintTemplateToken({ templateName: template.name, sessionId });

    const payload = await verifyWithJwks(token, { algorithms: ["ES256"], issuer: ORIGIN });
    expect(payload).toMatchObject({
      iss: ORIGIN,
      sub: userId,
      sid: sessionId,
      "https://hasura.io/jwt/claims": { "x-hasura-allowed-roles": ["user"], "x-hasura-default-role": "user", "x-hasura-user-id": userId },
    });
    expect(payload.exp).toBe(expiresAt);
    expect(payload.exp! - payload.iat!).toBe(120);
    expect(payload.iat! - payload.nbf!).toBe(7);
    expect(headerOf(token)).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect((await getPublicJwks()).keys.map((key) => key.kid)).toContain(headerOf(token).kid);

    // The session token itself, by the same outside verifier.
    const session = await verifyWithJwks(jar.values.get(SESSION_COOKIE)!, { algorithms: ["ES256"], issuer: ORIGIN });
    expect(session).toMatchObject({ sub: userId, sid: sessionId });
    expect(jwksFetches).toBeGreaterThan(0);
  });

  it("Convex preset: aud convex and the user's profile claims, verified with audience", async () => {
    const { userId, sessionId, email } = await userWithSession();
    const template = await createJwtTemplate(presetInput("convex"), admin);
    const { jwt: token } = await mintTemplateToken({ templateName: template.name, sessionId });
    const payload = await verifyWithJwks(token, { algorithms: ["ES256"], issuer: ORIGIN, audience: "convex" });
    expect(payload).toMatchObject({ sub: userId, aud: "convex", name: "Ada Lovelace", email, email_verified: true, picture: null });
  });

  it("HS256 (Supabase preset) verifies with the configured secret, and not with another", async () => {
    const { userId, sessionId, email } = await userWithSession();
    const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
    const template = await createJwtTemplate(presetInput("supabase", { signing: { kind: "hs256", secret } }), admin);
    const { jwt: token } = await mintTemplateToken({ templateName: template.name, sessionId });
    const payload = jwt.verify(token, secret, { algorithms: ["HS256"], audience: "authenticated", issuer: ORIGIN }) as JwtPayload;
    expect(payload).toMatchObject({
      sub: userId,
      aud: "authenticated",
      role: "authenticated",
      email,
      app_metadata: { role: "editor", plan: { tier: "pro" } },
      user_metadata: { role: "editor", plan: { tier: "pro" } },
    });
    expect(() => jwt.verify(token, `${secret}-other`, { algorithms: ["HS256"] })).toThrow(/invalid signature/);
    expect(headerOf(token)).toEqual({ alg: "HS256", typ: "JWT" });

    // A new secret takes effect at once (the per-process key cache follows the template's version).
    const newSecret = "a-brand-new-secret-of-more-than-32-bytes!!";
    await updateJwtTemplate(template.id, presetInput("supabase", { name: template.name, signing: { kind: "hs256", secret: newSecret } }), admin);
    const { jwt: next } = await mintTemplateToken({ templateName: template.name, sessionId });
    expect(() => jwt.verify(next, newSecret, { algorithms: ["HS256"] })).not.toThrow();
    expect(() => jwt.verify(next, secret, { algorithms: ["HS256"] })).toThrow(/invalid signature/);
  });

  it("RS256 with a custom private key verifies with its public key; kid is the configured key id", async () => {
    const { userId, sessionId } = await userWithSession();
    const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const template = await createJwtTemplate(
      {
        name: `rs-${crypto.randomBytes(3).toString("hex")}`,
        claims: '{"aud": "api.example.com", "plan": "{{user.public_metadata.plan.tier}}", "hello": "Hi {{user.first_name}}"}',
        signing: { kind: "rs256", privateKey: pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(), keyId: "my-key-1" },
      },
      admin,
    );
    const { jwt: token } = await mintTemplateToken({ templateName: template.name, sessionId });
    const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
    const payload = jwt.verify(token, publicPem, { algorithms: ["RS256"], audience: "api.example.com", issuer: ORIGIN }) as JwtPayload;
    expect(payload).toMatchObject({ sub: userId, plan: "pro", hello: "Hi Ada" });
    expect(headerOf(token)).toEqual({ alg: "RS256", typ: "JWT", kid: "my-key-1" });
  });

  it("Firebase preset: a custom token as Firebase documents it, verified against the service account's public key", async () => {
    const { userId, sessionId } = await userWithSession();
    const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const serviceAccount = {
      type: "service_account",
      project_id: "demo-project",
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: "firebase-adminsdk-abc12@demo-project.iam.gserviceaccount.com",
      client_id: "1234567890",
    };
    const template = await createJwtTemplate(
      presetInput("firebase", { claims: '{"premium": "{{user.public_metadata.plan.tier}}"}', signing: { kind: "firebase", serviceAccount: JSON.stringify(serviceAccount) } }),
      admin,
    );
    expect(template.signing).toMatchObject({ kind: "firebase", algorithm: "RS256", keyId: serviceAccount.private_key_id, serviceAccountEmail: serviceAccount.client_email });

    const { jwt: token, expiresAt } = await mintTemplateToken({ templateName: template.name, sessionId });
    const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
    const payload = jwt.verify(token, publicPem, {
      algorithms: ["RS256"],
      audience: FIREBASE_AUDIENCE,
      issuer: serviceAccount.client_email,
      subject: serviceAccount.client_email,
    }) as JwtPayload;
    expect(payload.uid).toBe(userId);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
    expect(payload.exp).toBe(expiresAt);
    expect(payload.claims).toEqual({ premium: "pro" });
    expect(Object.keys(payload).sort()).toEqual(["aud", "claims", "exp", "iat", "iss", "sub", "uid"]);
    expect(headerOf(token)).toMatchObject({ alg: "RS256", typ: "JWT", kid: serviceAccount.private_key_id });
    // The private key is stored encrypted, never as the PEM.
    const row = await db.jwtTemplate.findUniqueOrThrow({ where: { id: template.id } });
    expect(row.secretEncrypted).not.toContain("PRIVATE KEY");
  });

  it("carries act during an impersonation, and the standard claims always win over the stored claims", async () => {
    const { userId, sessionId } = await userWithSession();
    const impersonator = await signedUpUser();
    await db.session.update({ where: { id: sessionId }, data: { actorId: impersonator.userId } });
    // Written straight to the DB, past the save-time check: the mint still sets the reserved claims itself.
    const template = await db.jwtTemplate.create({
      data: { id: `jtmp_${crypto.randomBytes(8).toString("hex")}`, name: `raw-${crypto.randomBytes(3).toString("hex")}`, claims: { sub: "evil", iss: "evil", exp: 1, actor: "{{session.actor}}" } },
    });
    const { jwt: token } = await mintTemplateToken({ templateName: template.name, sessionId });
    const payload = await verifyWithJwks(token, { algorithms: ["ES256"], issuer: ORIGIN });
    expect(payload).toMatchObject({ sub: userId, iss: ORIGIN, act: { sub: impersonator.userId }, actor: { sub: impersonator.userId } });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it("refuses an unknown template (not_found) and a session that is not active (session_invalid)", async () => {
    const { userId, sessionId } = await userWithSession();
    const template = await createJwtTemplate(presetInput("hasura"), admin);
    await expect(mintTemplateToken({ templateName: "no-such-template", sessionId })).rejects.toMatchObject({ code: "not_found" });
    await expect(mintTemplateToken({ templateName: template.name, sessionId: "sess_nope" })).rejects.toMatchObject({ code: "session_invalid" });

    await db.user.update({ where: { id: userId }, data: { banned: true } });
    await expect(mintTemplateToken({ templateName: template.name, sessionId })).rejects.toMatchObject({ code: "session_invalid" });
    await db.user.update({ where: { id: userId }, data: { banned: false } });
    await expect(mintTemplateToken({ templateName: template.name, sessionId })).resolves.toBeDefined();

    await db.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(mintTemplateToken({ templateName: template.name, sessionId })).rejects.toMatchObject({ code: "session_invalid" });
    await db.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() + 3_600_000), status: "revoked" } });
    await expect(mintTemplateToken({ templateName: template.name, sessionId })).rejects.toMatchObject({ code: "session_invalid" });
  });
});

describe("previewTemplate", () => {
  it("renders claims as typed for a chosen user, with the standard claims around them", async () => {
    const { userId, sessionId, email } = await userWithSession();
    const preview = await previewTemplate(
      { claims: '{"email": "{{user.primary_email_address}}", "meta": "{{user.public_metadata}}", "sid2": "{{session.id}}"}', userId },
      { issuer: ORIGIN },
    );
    expect(preview.claims).toEqual({ email, meta: { role: "editor", plan: { tier: "pro" } }, sid2: sessionId });
    expect(preview.payload).toMatchObject({ email, iss: ORIGIN, sub: userId, sid: sessionId });
    expect(preview.payload.exp as number).toBe((preview.payload.iat as number) + 60);
  });

  it("refuses unknown shortcodes with their path, and an unknown user", async () => {
    const { userId } = await userWithSession();
    await expect(previewTemplate({ claims: '{"a": {"b": "{{user.foo}}"}}', userId }, { issuer: ORIGIN })).rejects.toMatchObject({
      code: "validation_failed",
      fields: { claims: ["Unknown shortcode {{user.foo}} at $.a.b"] },
    });
    await expect(previewTemplate({ claims: "{}", userId: "user_nobody" }, { issuer: ORIGIN })).rejects.toMatchObject({ code: "not_found" });
  });
});
