import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createJwtTemplate, deleteJwtTemplate, getJwtTemplate, listJwtTemplates, updateJwtTemplate, type JwtTemplateInput } from "./index";

/** S9: template CRUD, refused at save time with each problem under its field (and the JSON path for claims). */
const actor = { actorId: null, ip: "203.0.113.9", userAgent: "vitest" };
const uniqueName = (label = "t") => `${label}-${crypto.randomBytes(4).toString("hex")}`;

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

const fieldsOf = async (input: JwtTemplateInput) => (await refusal(() => createJwtTemplate(input, actor))).fields;

const rsaPem = (bits = 2048) =>
  crypto.generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

describe("JWT template validation", () => {
  it("refuses unknown shortcodes, organisation shortcodes and invalid JSON under `claims`, with the path or position", async () => {
    expect(await fieldsOf({ name: uniqueName(), claims: '{"app": {"role": "{{user.foo}}"}}' })).toEqual({
      claims: ["Unknown shortcode {{user.foo}} at $.app.role"],
    });
    expect(await fieldsOf({ name: uniqueName(), claims: '{"o": ["{{org.slug}}"]}' })).toEqual({
      claims: ["Shortcode {{org.slug}} at $.o[0]: organizations are not available yet"],
    });
    const invalid = await fieldsOf({ name: uniqueName(), claims: '{"aud": "x",}' });
    expect(invalid?.claims?.[0]).toMatch(/^Invalid JSON at line 1, column 13/);
  });

  it("refuses reserved claims, lifetimes outside 30 s – 24 h and skew outside 0 – 60 s", async () => {
    expect(await fieldsOf({ name: uniqueName(), claims: '{"iss": "me", "nbf": 0}' })).toEqual({
      claims: ['The claim "iss" is reserved: the portal always sets it itself.', 'The claim "nbf" is reserved: the portal always sets it itself.'],
    });
    for (const lifetimeSeconds of [29, 86_401, 1.5]) {
      expect(Object.keys((await fieldsOf({ name: uniqueName(), lifetimeSeconds })) ?? {})).toEqual(["lifetimeSeconds"]);
    }
    for (const clockSkewSeconds of [-1, 61]) {
      expect(Object.keys((await fieldsOf({ name: uniqueName(), clockSkewSeconds })) ?? {})).toEqual(["clockSkewSeconds"]);
    }
    await expect(createJwtTemplate({ name: uniqueName(), lifetimeSeconds: 30, clockSkewSeconds: 0 }, actor)).resolves.toBeDefined();
    await expect(createJwtTemplate({ name: uniqueName(), lifetimeSeconds: 86_400, clockSkewSeconds: 60 }, actor)).resolves.toBeDefined();
  });

  it("checks key material: HS256 secrets of 32+ bytes, RSA keys of 2048+ bits, a whole service account", async () => {
    const before = await db.jwtTemplate.count();
    expect(await fieldsOf({ name: uniqueName(), signing: { kind: "hs256", secret: "too-short" } })).toEqual({
      "signing.secret": ["The secret must be at least 32 bytes."],
    });
    expect(await fieldsOf({ name: uniqueName(), signing: { kind: "hs256" } })).toEqual({ "signing.secret": ["Enter the HS256 secret."] });
    expect(Object.keys((await fieldsOf({ name: uniqueName(), signing: { kind: "rs256", privateKey: "not a key" } })) ?? {})).toEqual(["signing.privateKey"]);
    const ecKey = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(await fieldsOf({ name: uniqueName(), signing: { kind: "rs256", privateKey: ecKey } })).toEqual({ "signing.privateKey": ["RS256 needs an RSA private key."] });
    expect(await fieldsOf({ name: uniqueName(), signing: { kind: "rs256", privateKey: rsaPem(1024) } })).toEqual({
      "signing.privateKey": ["The RSA key must be at least 2048 bits."],
    });
    expect(Object.keys((await fieldsOf({ name: uniqueName(), signing: { kind: "firebase", serviceAccount: '{"client_email": "x@y.z"}' } })) ?? {})).toEqual([
      "signing.serviceAccount",
    ]);
    // Firebase: at most 1 h, and Firebase's own reserved names refused in its claims.
    const account = JSON.stringify({ private_key: rsaPem(), private_key_id: "kid1", client_email: "sa@demo.iam.gserviceaccount.com" });
    expect(await fieldsOf({ name: uniqueName(), lifetimeSeconds: 3601, claims: '{"aud": "x"}', signing: { kind: "firebase", serviceAccount: account } })).toEqual({
      claims: ['The claim "aud" is reserved: Firebase refuses it in a custom token\'s claims.'],
      lifetimeSeconds: ["Firebase custom tokens live at most 1 hour (3600 seconds)."],
    });
    expect(await db.jwtTemplate.count()).toBe(before);
  });

  it("refuses a second template with the same name", async () => {
    const name = uniqueName("dup");
    await createJwtTemplate({ name }, actor);
    const error = await refusal(() => createJwtTemplate({ name }, actor));
    expect(error.code).toBe("conflict");
    expect(error.fields).toEqual({ name: ["A template with this name already exists."] });
  });
});

describe("JWT template CRUD", () => {
  it("creates, lists, updates (keeping a stored secret when none is sent) and deletes, audited, never showing the secret", async () => {
    const secret = "0123456789abcdef0123456789abcdef-supabase";
    const created = await createJwtTemplate(
      { name: uniqueName("supa"), claims: '{"aud": "authenticated"}', signing: { kind: "hs256", secret }, preset: "supabase" },
      actor,
    );
    expect(created).toMatchObject({ lifetimeSeconds: 60, clockSkewSeconds: 5, claims: { aud: "authenticated" }, preset: "supabase" });
    expect(created.signing).toEqual({ kind: "hs256", algorithm: "HS256", hasSecret: true, keyId: null, serviceAccountEmail: null });
    expect(JSON.stringify(await listJwtTemplates())).not.toContain(secret);
    const stored = await db.jwtTemplate.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.secretEncrypted).not.toContain(secret);

    const updated = await updateJwtTemplate(created.id, { name: created.name, lifetimeSeconds: 300, claims: '{"aud": "authenticated", "x": 1}', signing: { kind: "hs256" } }, actor);
    expect(updated).toMatchObject({ lifetimeSeconds: 300, claims: { aud: "authenticated", x: 1 }, preset: "supabase" });
    expect((await db.jwtTemplate.findUniqueOrThrow({ where: { id: created.id } })).secretEncrypted).toBe(stored.secretEncrypted);

    // Switching kind needs the new kind's material; switching to the instance key drops the secret.
    const switching = await refusal(() => updateJwtTemplate(created.id, { name: created.name, signing: { kind: "rs256" } }, actor));
    expect(switching.fields).toEqual({ "signing.privateKey": ["Paste the RS256 private key (PEM)."] });
    const instance = await updateJwtTemplate(created.id, { name: created.name, signing: { kind: "instance" } }, actor);
    expect(instance.signing).toMatchObject({ kind: "instance", hasSecret: false });

    await deleteJwtTemplate(created.id, actor);
    expect(await getJwtTemplate(created.id)).toBeNull();
    await expect(deleteJwtTemplate(created.id, actor)).rejects.toMatchObject({ code: "not_found" });
    await expect(updateJwtTemplate(created.id, { name: created.name }, actor)).rejects.toMatchObject({ code: "not_found" });

    const audits = await db.auditEvent.findMany({ where: { targetId: created.id }, orderBy: { createdAt: "asc" } });
    expect(audits.map((event) => event.type)).toEqual(["jwt_template.created", "jwt_template.updated", "jwt_template.updated", "jwt_template.deleted"]);
    expect(audits[0]).toMatchObject({ ip: "203.0.113.9", data: { name: created.name, algorithm: "HS256", preset: "supabase" } });
    expect(JSON.stringify(audits)).not.toContain(secret);
  });
});
