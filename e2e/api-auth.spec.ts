import { expect, test } from "@playwright/test";
import { waitOutSessionToken } from "./helpers/cookies";
import { signUpNewUser } from "./helpers/flows";

test.describe("API authentication", () => {
  test("a protected API request without a session answers 401 with WWW-Authenticate", async ({ request }) => {
    const response = await request.get("/api/auth/session", { maxRedirects: 0 });
    expect(response.status()).toBe(401);
    expect(response.headers()["www-authenticate"]).toMatch(/^Bearer\b/i);
  });

  test("a forged bearer token is refused with error=invalid_token", async ({ request }) => {
    const forged = ["eyJhbGciOiJub25lIn0", "eyJzdWIiOiJ1c2VyXzEifQ", ""].join(".");
    const response = await request.get("/api/auth/session", {
      headers: { Authorization: `Bearer ${forged}` },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(401);
    expect(response.headers()["www-authenticate"]).toMatch(/invalid_token/);
  });

  test("signed in, the session API answers with the user; once the token expires it answers 401, not a redirect", async ({
    page,
  }) => {
    const user = await signUpNewUser(page, "api");
    const response = await page.request.get("/api/auth/session", { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(JSON.stringify(body.user)).toContain(user.email);
    expect(body.session).toBeTruthy();

    await page.close();
    await waitOutSessionToken(page.context());
    const expired = await page.context().request.get("/api/auth/session", { maxRedirects: 0 });
    expect(expired.status()).toBe(401);
    expect(expired.headers()["www-authenticate"]).toMatch(/invalid_token/);
  });
});
