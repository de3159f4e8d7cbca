import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "@/lib/config";
import { DEV_COMPILE_TOLERANCE_SECONDS, SERVER_EXPIRY_LEEWAY_SECONDS, verifyTokenOnServer } from "./server";
import { mintSessionToken } from "./tokens";

const ORIGIN = "http://localhost:3000";
const subject = { userId: "user_1", sessionId: "sess_1", role: "user" as const, emailVerified: true };
/** A token that expired `secondsAgo` seconds ago. */
async function expiredToken(secondsAgo: number) {
  const ttl = getConfig().AUTH_SESSION_TOKEN_TTL_SECONDS;
  const now = new Date(Date.now() - (ttl + secondsAgo) * 1000);
  return (await mintSessionToken(subject, { issuer: ORIGIN, authorizedParty: ORIGIN, now })).token;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("verifyTokenOnServer", () => {
  it("accepts a live token and refuses an expired one outside next dev (tests, production)", async () => {
    const live = (await mintSessionToken(subject, { issuer: ORIGIN, authorizedParty: ORIGIN })).token;
    expect(await verifyTokenOnServer(live, ORIGIN)).toMatchObject({ sub: "user_1", sid: "sess_1" });
    const expired = await expiredToken(20);
    expect(await verifyTokenOnServer(expired, ORIGIN)).toBeNull();
    vi.stubEnv("NODE_ENV", "production");
    expect(await verifyTokenOnServer(expired, ORIGIN)).toBeNull();
  });

  it(`outside next dev, accepts a token the middleware let through a moment ago: up to ${SERVER_EXPIRY_LEEWAY_SECONDS} s past its exp, never more`, async () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(await verifyTokenOnServer(await expiredToken(2), ORIGIN)).toMatchObject({ sid: "sess_1" });
    expect(await verifyTokenOnServer(await expiredToken(SERVER_EXPIRY_LEEWAY_SECONDS + 3), ORIGIN)).toBeNull();
  });

  it("under next dev, accepts a token that expired while the route compiled, up to the tolerance", async () => {
    vi.stubEnv("NODE_ENV", "development");
    expect(await verifyTokenOnServer(await expiredToken(20), ORIGIN)).toMatchObject({ sid: "sess_1" });
    expect(await verifyTokenOnServer(await expiredToken(DEV_COMPILE_TOLERANCE_SECONDS + 30), ORIGIN)).toBeNull();
  });
});
