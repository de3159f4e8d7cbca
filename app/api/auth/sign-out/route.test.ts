import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { DEVICE_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST } from "./route";

describe("POST /api/auth/sign-out", () => {
  it("ends the session and clears both cookies at once", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    const response = await POST(makeRequest("/api/auth/sign-out", { body: {}, jar }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ redirectUrl: "/sign-in" });
    jar.absorb(response);
    // Session and client cookies are gone; the device cookie stays: this browser remains a known device (S10).
    expect([...jar.values.keys()]).toEqual([DEVICE_COOKIE]);
    expect((await db.session.findUniqueOrThrow({ where: { id: sid } })).status).toBe("ended");
  });

  it("is harmless without a session", async () => {
    const response = await POST(makeRequest("/api/auth/sign-out", { body: { scope: "all" }, jar: new CookieJar() }));
    expect(response.status).toBe(200);
  });

  it("validates the scope", async () => {
    const response = await POST(makeRequest("/api/auth/sign-out", { body: { scope: "everything" } }));
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].field).toBe("scope");
  });
});
