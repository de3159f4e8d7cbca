import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { GET as listRoute } from "@/app/api/account/sessions/route";
import { POST as revokeRoute } from "@/app/api/account/sessions/revoke/route";
import { POST as revokeOthersRoute } from "@/app/api/account/sessions/revoke-others/route";
import { describeUserAgent } from "./devices";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const MAC_CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

type Listed = { sessionId: string; current: boolean; browser: string | null; os: string | null; deviceType: string; ip: string | null };

const sid = (jar: CookieJar) => decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;

/** The same user signs in on another device (its own cookie jar and user agent). */
async function signInElsewhere(email: string, password: string, userAgent: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const response = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password }, jar, headers: { "user-agent": userAgent } }));
  expect(response.status).toBe(200);
  jar.absorb(response);
  return jar;
}

async function devices(jar: CookieJar): Promise<Listed[]> {
  const response = await listRoute(makeRequest("/api/account/sessions", { jar }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { devices: Listed[] }).devices;
}

const refresh = (jar: CookieJar) => refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar }));

describe("active devices (S2, S7)", () => {
  it("describes a user agent: browser, OS and device type", () => {
    expect(describeUserAgent(IPHONE)).toMatchObject({ browser: "Mobile Safari 17", os: "iOS 17.5", deviceType: "mobile" });
    expect(describeUserAgent(MAC_CHROME)).toMatchObject({ browser: "Chrome 131", os: "macOS 10.15.7", deviceType: "desktop" });
    expect(describeUserAgent(null)).toEqual({ browser: null, os: null, deviceType: "desktop", deviceModel: null });
  });

  it("lists only the user's own active sessions, this device first", async () => {
    const user = await signedUpUser();
    const phone = await signInElsewhere(user.email, user.password, IPHONE);
    // Someone else's session never shows.
    const stranger = await signedUpUser();
    const list = await devices(user.jar);
    expect(list.map((device) => device.sessionId).sort()).toEqual([sid(user.jar), sid(phone)].sort());
    expect(list[0]).toMatchObject({ sessionId: sid(user.jar), current: true });
    expect(list.find((device) => device.sessionId === sid(phone))).toMatchObject({ current: false, os: "iOS 17.5", deviceType: "mobile" });
    expect(list.some((device) => device.sessionId === sid(stranger.jar))).toBe(false);
  });

  it("signs another device out: its refresh then gets 401; another user's session id is 404", async () => {
    const user = await signedUpUser();
    const phone = await signInElsewhere(user.email, user.password, IPHONE);
    expect((await refresh(phone)).status).toBe(200);

    const stranger = await signedUpUser();
    const foreign = await revokeRoute(makeRequest("/api/account/sessions/revoke", { body: { sessionId: sid(stranger.jar) }, jar: user.jar }));
    expect(foreign.status).toBe(404);
    expect((await db.session.findUniqueOrThrow({ where: { id: sid(stranger.jar) } })).status).toBe("active");

    // This device signs out with the ordinary sign-out, not here.
    const self = await revokeRoute(makeRequest("/api/account/sessions/revoke", { body: { sessionId: sid(user.jar) }, jar: user.jar }));
    expect(self.status).toBe(409);

    const phoneSid = sid(phone);
    const revoked = await revokeRoute(makeRequest("/api/account/sessions/revoke", { body: { sessionId: phoneSid }, jar: user.jar }));
    expect(revoked.status).toBe(200);
    expect((await refresh(phone)).status).toBe(401);
    expect((await devices(user.jar)).map((device) => device.sessionId)).toEqual([sid(user.jar)]);
    expect(await db.auditEvent.count({ where: { type: "session.revoked", actorId: user.userId, targetId: phoneSid } })).toBe(1);
    // Already signed out: not found.
    const again = await revokeRoute(makeRequest("/api/account/sessions/revoke", { body: { sessionId: phoneSid }, jar: user.jar }));
    expect(again.status).toBe(404);
  });

  it("signs out of all other devices and keeps this one", async () => {
    const user = await signedUpUser();
    const phone = await signInElsewhere(user.email, user.password, IPHONE);
    const laptop = await signInElsewhere(user.email, user.password, MAC_CHROME);
    const stranger = await signedUpUser();
    const response = await revokeOthersRoute(makeRequest("/api/account/sessions/revoke-others", { body: {}, jar: user.jar }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ signedOut: 2 });
    expect((await refresh(phone)).status).toBe(401);
    expect((await refresh(laptop)).status).toBe(401);
    expect((await refresh(user.jar)).status).toBe(200);
    expect((await refresh(stranger.jar)).status).toBe(200);
    expect((await devices(user.jar)).map((device) => device.sessionId)).toEqual([sid(user.jar)]);
    expect(await db.auditEvent.count({ where: { type: "sign_out.others", actorId: user.userId } })).toBe(1);
  });

  it("needs a session", async () => {
    expect((await listRoute(makeRequest("/api/account/sessions"))).status).toBe(401);
  });
});
