import type { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { createApiKey } from "@/lib/api-keys";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { exportedDigests } from "@/lib/password/testing/exported-digests";
import { makeRequest, uniqueEmail } from "@/test/http";
import { POST as createUserRoute } from "./route";

const OLD_PASSWORD = "migrated-by-api-5";

async function secretKey() {
  const admin = await db.user.create({ data: { id: newId("user"), role: "admin" } });
  const { secret } = await createApiKey({ name: "importer" }, { actorId: admin.id, ip: null, userAgent: null });
  return secret;
}

/** A server's request to POST /api/v1/users: a secret key, no Origin. */
async function createUser(key: string, body: unknown) {
  const request = makeRequest("/api/v1/users", { body, headers: { origin: "", authorization: `Bearer ${key}` } });
  const response = await (createUserRoute as (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>)(request, {
    params: Promise.resolve({}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const signIn = (email: string, password: string) => signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password } }));

describe("POST /api/v1/users with password_digest + password_hasher", () => {
  it("creates the user with the digest; they sign in with their old password and are rehashed to bcrypt", async () => {
    const key = await secretKey();
    const { argon2id, scrypt_firebase } = await exportedDigests(OLD_PASSWORD);
    for (const { hasher, digest } of [argon2id!, scrypt_firebase!]) {
      const email = uniqueEmail(hasher);
      const created = await createUser(key, { email_address: email, password_digest: digest, password_hasher: hasher });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.password_enabled).toBe(true);
      const user = await db.user.findUniqueOrThrow({ where: { id: created.body.id as string } });
      expect(user.passwordCost).toBeNull();
      expect((await signIn(email, "wrong-password-5")).status).toBe(401);
      expect((await signIn(email, OLD_PASSWORD)).status).toBe(200);
      expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ passwordCost: 4, passwordHash: expect.stringMatching(/^\$2b\$04\$/) });
    }
  });

  it("refuses an unknown hasher, a digest that does not fit, a digest without its hasher, and both password and digest (400 naming the parameter)", async () => {
    const key = await secretKey();
    const cases: [Record<string, unknown>, string][] = [
      [{ password_digest: "5f4dcc3b5aa765d61d8327deb882cf99", password_hasher: "md5" }, "password_hasher"],
      [{ password_digest: "$2b$10$tooshort", password_hasher: "bcrypt" }, "password_digest"],
      [{ password_digest: "$2b$10$tooshort" }, "password_hasher"],
      [{ password: "a-perfectly-fine-passphrase-1", password_digest: "$2b$10$tooshort", password_hasher: "bcrypt" }, "password"],
    ];
    for (const [extra, param] of cases) {
      const email = uniqueEmail("refused");
      const response = await createUser(key, { email_address: email, ...extra });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      const errors = response.body.errors as { meta?: { paramName?: string } }[];
      expect(errors.map((error) => error.meta?.paramName)).toContain(param);
      expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(0);
    }
  });
});
