import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar, STRONG_PASSWORD, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { POST } from "./route";

// These cases cover sign-up with email verification turned OFF (the pre-S4
// behaviour, still an admin setting); verification.test.ts covers the default.
vi.mock("@/lib/settings", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/settings")>();
  return {
    ...original,
    getInstanceSettings: async () => ({ ...(await original.getInstanceSettings()), emailVerificationAtSignUp: false }),
  };
});

async function signUp(body: unknown, jar = new CookieJar()) {
  const response = await POST(makeRequest("/api/auth/sign-up", { body, jar }));
  jar.absorb(response);
  return { response, jar, json: await response.json() };
}

describe("POST /api/auth/sign-up (email verification off)", () => {
  it("creates the user, signs them in and sets both cookies with the S2 flags", async () => {
    const email = uniqueEmail("Signup");
    const { response, jar, json } = await signUp({ email, password: STRONG_PASSWORD, firstName: "Ada", redirectUrl: "/welcome" });
    expect(response.status).toBe(200);
    expect(json).toEqual({ status: "complete", redirectUrl: "/welcome" });

    const setCookies = response.headers.getSetCookie();
    for (const name of [CLIENT_COOKIE, SESSION_COOKIE]) {
      const line = setCookies.find((cookie) => cookie.startsWith(`${name}=`));
      expect(line, name).toBeDefined();
      expect(line).toMatch(/HttpOnly/i);
      expect(line).toMatch(/SameSite=lax/i);
      expect(line).toMatch(/Path=\//);
    }

    const claims = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!);
    const user = await db.user.findFirstOrThrow({ where: { emailAddresses: { some: { emailNormalized: email.toLowerCase() } } } });
    expect(claims).toMatchObject({ sub: user.id, role: "user", v: 1, iss: "http://localhost:3000", email_verified: false });
    expect(claims.exp as number).toBe((claims.iat as number) + 60);
    expect(claims.nbf as number).toBe((claims.iat as number) - 10);
    expect(user.id).toMatch(/^user_[0-9A-Za-z]{27}$/);
    expect(user.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(user.passwordHash).not.toContain(STRONG_PASSWORD);

    const session = await db.session.findUniqueOrThrow({ where: { id: claims.sid as string }, include: { client: true } });
    expect(session.status).toBe("active");
    // Only the SHA-256 of the client token is stored.
    expect(session.client.tokenHash).toHaveLength(64);
    expect(session.client.tokenHash).not.toBe(jar.values.get(CLIENT_COOKIE));
  });

  it("grants role=admin to ADMIN_EMAILS only through a verified address (S10)", async () => {
    const { jar } = await signUp({ email: "Signup-Admin@Example.com", password: STRONG_PASSWORD });
    // Unverified (verification at sign-up is off here): anyone could have typed that address.
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).role).toBe("user");
    const user = await db.user.findFirstOrThrow({ where: { emailAddresses: { some: { emailNormalized: "signup-admin@example.com" } } } });
    expect(user.role).toBe("user");
    // Once the address is proved, the next sign-in grants it.
    await db.emailAddress.updateMany({ where: { userId: user.id }, data: { verified: true, verifiedAt: new Date() } });
    const { POST: signInRoute } = await import("@/app/api/auth/sign-in/route");
    const signedIn = await signInRoute(
      makeRequest("/api/auth/sign-in", { body: { email: "signup-admin@example.com", password: STRONG_PASSWORD } }),
    );
    expect(signedIn.status).toBe(200);
    const session = signedIn.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`))!;
    expect(decodeJwtPayload(session.split(";")[0]!.split("=")[1]!).role).toBe("admin");
  });

  it("explains the 72-byte limit instead of truncating", async () => {
    const { response, json } = await signUp({ email: uniqueEmail(), password: "🔒".repeat(19) + "abcd" });
    expect(response.status).toBe(422);
    expect(json.errors[0]).toMatchObject({ code: "password_policy", field: "password" });
    expect(json.errors.map((error: { message: string }) => error.message).join(" ")).toMatch(/72 bytes/);
  });

  it("refuses a breached password", async () => {
    const { response, json } = await signUp({ email: uniqueEmail(), password: "password123" });
    expect(response.status).toBe(422);
    expect(json.errors.map((error: { message: string }) => error.message).join(" ")).toMatch(/breach/i);
  });

  it("refuses a second account for the same email, whatever its case", async () => {
    const email = uniqueEmail("dup");
    await signUp({ email, password: STRONG_PASSWORD });
    const { response, json } = await signUp({ email: email.toUpperCase(), password: STRONG_PASSWORD });
    expect(response.status).toBe(409);
    expect(json.errors[0]).toMatchObject({ code: "email_taken", field: "email" });
  });

  it("lets exactly one of two racing sign-ups for one address win", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all([1, 2, 3].map(() => POST(makeRequest("/api/auth/sign-up", { body: { email, password: STRONG_PASSWORD } }))));
    expect(results.map((result) => result.status).sort()).toEqual([200, 409, 409]);
    expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(1);
    expect(await db.user.count({ where: { primaryEmailAddressId: null, passwordHash: { not: null } } })).toBe(0);
  });

  it("leaves no half-created user when a later write in the transaction fails", async () => {
    const email = uniqueEmail("atomic");
    await db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_test_session() RETURNS trigger AS $$
      BEGIN
        IF NEW."userAgent" = 'explode' THEN RAISE EXCEPTION 'simulated failure'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_test_session BEFORE INSERT ON "Session" FOR EACH ROW EXECUTE FUNCTION refuse_test_session()`);
    try {
      const response = await POST(makeRequest("/api/auth/sign-up", { body: { email, password: STRONG_PASSWORD }, headers: { "user-agent": "explode" } }));
      expect(response.status).toBe(500);
      const body = await response.json();
      expect(JSON.stringify(body)).not.toMatch(/simulated failure|at .*\.ts/);
      expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(0);
      expect(await db.user.count({ where: { primaryEmailAddressId: null, passwordHash: { not: null } } })).toBe(0);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_test_session ON "Session"`);
    }
  });

  describe("bad input gets a 4xx with field errors", () => {
    it.each([
      ["malformed JSON", { rawBody: "{not json" }, 400, "invalid_json"],
      ["wrong types", { body: { email: 42, password: ["x"] } }, 400, "validation_failed"],
      ["unknown fields", { body: { email: "a@example.com", password: STRONG_PASSWORD, role: "admin" } }, 400, "validation_failed"],
      ["an invalid email", { body: { email: "not-an-email", password: STRONG_PASSWORD } }, 400, "validation_failed"],
      ["a huge body", { rawBody: JSON.stringify({ email: "a@example.com", password: "x".repeat(40_000) }) }, 413, "payload_too_large"],
      ["a non-JSON content type", { rawBody: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, "unsupported_media_type"],
      ["a cross-origin POST", { body: { email: "a@example.com", password: STRONG_PASSWORD }, headers: { origin: "https://evil.example" } }, 403, "origin_mismatch"],
    ])("%s", async (_label, options, status, code) => {
      const response = await POST(makeRequest("/api/auth/sign-up", options as never));
      expect(response.status).toBe(status);
      const body = await response.json();
      expect(body.errors[0].code).toBe(code);
    });

    it("names each offending field", async () => {
      const response = await POST(makeRequest("/api/auth/sign-up", { body: { email: "nope", password: "", extra: 1 } }));
      const fields = (await response.json()).errors.map((error: { field: string }) => error.field).sort();
      expect(fields).toEqual(["email", "extra", "password"]);
    });
  });
});
