import { expect, test } from "@playwright/test";
import { readSessionToken, waitOutLastSessionToken } from "./helpers/cookies";
import { signUpNewUser } from "./helpers/flows";
import { recordRequests } from "./helpers/requests";
import { HomePage } from "./pages/HomePage";

test.describe("session token lifetime", () => {
  test("an expired token is renewed through the handshake on the next navigation", async ({ page, context }) => {
    const user = await signUpNewUser(page, "handshake");
    // No open page means no SessionRefresher: the token simply runs out (and a refresh that
    // lands after the close is waited out too).
    await page.close();
    const before = await waitOutLastSessionToken(context);

    const requests = recordRequests(context);
    const next = await context.newPage();
    const home = new HomePage(next);
    await home.goto("/");
    await home.expectSignedInAs(user.email);

    expect(requests.paths(), "navigation went through the handshake").toContain("/api/auth/handshake");
    const after = await readSessionToken(context);
    expect(after.cookie.value).not.toBe(before.cookie.value);
    expect(after.claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(after.claims.sid).toBe(before.claims.sid);
  });
});
