import { describe, expect, it } from "vitest";
import { GET as handshakeRoute } from "@/app/api/auth/handshake/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { safeRedirectUrl } from "@/lib/edge";
import { allowedRedirect } from "@/lib/http";
import { setRateLimitStore } from "@/lib/ratelimit";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";
import { nextIp, passwordUser, signedInUser } from "./helpers";
import { steadyMemoryStore } from "@/test/rate-limit";

/** S10: redirect_url only to relative paths or ALLOWED_REDIRECT_ORIGINS. */
const HOSTILE = [
  "//evil.example",
  "https://evil.example",
  "javascript:alert(1)",
  "JavaScript:alert(1)",
  " javascript:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/\\evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "https:evil.example",
  "http://localhost:3000@evil.example",
  "https://evil.example#@localhost:3000",
  "///evil.example",
];

function isSameSite(location: string): boolean {
  const url = new URL(location, ORIGIN);
  return url.origin === ORIGIN;
}

describe("open redirect: hostile redirect_url values are refused", () => {
  it("by the shared check (lib/edge) and the server helper", () => {
    for (const value of HOSTILE) {
      expect(safeRedirectUrl(value), value).toBe("/");
      expect(allowedRedirect(value), value).toBe("/");
    }
    expect(allowedRedirect("/settings?tab=1")).toBe("/settings?tab=1");
  });

  it("by sign-in (the URL the browser is sent to next)", async () => {
    const { email, password } = await passwordUser();
    for (const redirectUrl of HOSTILE) {
      setRateLimitStore(steadyMemoryStore()); // the limit is not under test here
      const response = await signInRoute(
        makeRequest("/api/auth/sign-in", { body: { email, password, redirectUrl }, headers: { "x-forwarded-for": nextIp() } }),
      );
      // Refused either way: control characters fail validation (400), everything else falls back to "/".
      if (/[\u0000-\u001f]/.test(redirectUrl)) {
        expect(response.status, redirectUrl).toBe(400);
        continue;
      }
      expect(response.status, redirectUrl).toBe(200);
      expect((await response.json()).redirectUrl, redirectUrl).toBe("/");
    }
  }, 60_000);

  it("by the handshake (its Location header)", async () => {
    const { jar } = await signedInUser();
    for (const redirectUrl of HOSTILE) {
      const fresh = new CookieJar();
      for (const [name, value] of jar.values) if (name === "__client") fresh.values.set(name, value);
      const response = await handshakeRoute(makeRequest(`/api/auth/handshake?redirect_url=${encodeURIComponent(redirectUrl)}`, { jar: fresh }));
      const location = response.headers.get("location")!;
      expect(isSameSite(location), `${redirectUrl} -> ${location}`).toBe(true);
      expect(new URL(location).pathname, redirectUrl).toBe("/");
    }
  });
});
