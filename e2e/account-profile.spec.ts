import { expect, test } from "@playwright/test";
import sharp from "sharp";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { queryDb } from "./helpers/db";
import { createUserViaApi, signIn } from "./helpers/flows";
import { AccountPage } from "./pages/AccountPage";

/**
 * The profile on /account (S7, issue 12): names and username (with the live
 * check), a profile picture uploaded, shown in the header and removed, no
 * serious or critical axe finding, and the user's private metadata nowhere
 * in what the page sends to the browser.
 */

async function userIdOf(email: string): Promise<string> {
  const rows = await queryDb<{ userId: string }>(`SELECT "userId" FROM "EmailAddress" WHERE "emailNormalized" = $1`, [email.toLowerCase()]);
  return rows[0]!.userId;
}

test.describe("account profile (S7)", () => {
  test("edit names and username, upload a picture (shown in the header), remove it; axe-clean; private metadata stays private", async ({
    page,
    request,
  }) => {
    const user = await createUserViaApi(request, "profile");
    const userId = await userIdOf(user.email);
    const marker = `private-marker-${Date.now().toString(36)}`;
    await queryDb(`UPDATE "User" SET "privateMetadata" = $1::jsonb WHERE id = $2`, [JSON.stringify({ secret: marker }), userId]);
    await signIn(page, user);

    const account = new AccountPage(page);
    const html = await page.goto("/account");
    expect(await html!.text()).not.toContain(marker);
    await expect(account.heading).toBeVisible();
    await expectNoSeriousAxeViolations(page, "/account");

    // Names and username, saved by one request.
    const username = `ada_${Date.now().toString(36)}`;
    await account.firstName.fill("Ada");
    await account.lastName.fill("Lovelace");
    await account.username.fill("Not OK!");
    await expect(account.profile.getByText(/can only contain lowercase letters, digits/)).toBeVisible();
    await expect(account.saveProfileButton).toBeDisabled();
    await account.username.fill(username);
    await expect(account.profile.getByText(`${username} is available`)).toBeVisible();
    await account.saveProfile();
    // The header follows without a reload: the initials in the account menu button.
    await expect(page.getByRole("button", { name: "Open user menu" })).toContainText("AL");
    await page.reload();
    await expect(account.firstName).toHaveValue("Ada");
    await expect(account.lastName).toHaveValue("Lovelace");
    await expect(account.username).toHaveValue(username);
    const [row] = await queryDb<{ firstName: string; lastName: string; username: string }>(
      `SELECT "firstName", "lastName", username FROM "User" WHERE id = $1`,
      [userId],
    );
    expect(row).toEqual({ firstName: "Ada", lastName: "Lovelace", username });

    // A picture: generated here, chosen with the keyboard-reachable file input, previewed, saved.
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
    await account.uploadPicture({ name: "me.png", mimeType: "image/png", buffer: png });
    await expect(account.headerAvatarImage).toHaveAttribute("src", new RegExp(`^/avatars/${userId}\\?v=[\\w-]+$`));
    await expect.poll(() => account.headerAvatarImage.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(480); // 640x480 -> a 480 px square
    const src = (await account.headerAvatarImage.getAttribute("src"))!;
    const served = await page.request.get(src);
    expect(served.status()).toBe(200);
    expect(served.headers()["content-type"]).toBe("image/webp");
    expect(served.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    // Public: another app (no session) can load it too.
    const anonymous = await request.get(src, { headers: { cookie: "" } });
    expect(anonymous.status()).toBe(200);
    await expect(account.picture.getByRole("button", { name: "Remove" })).toBeVisible();
    await expectNoSeriousAxeViolations(page, "/account with a picture");

    // A file the browser check refuses before sending anything.
    await account.pictureInput.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await expect(account.picture.getByText("Choose a PNG, JPEG or WebP image.")).toBeVisible();

    // Remove: back to the generated initials, in the header too.
    await account.removePicture();
    await expect(account.headerAvatarImage).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Open user menu" })).toContainText("AL");
    await expect(account.picture.getByRole("button", { name: "Remove" })).toHaveCount(0);
    expect(await queryDb(`SELECT 1 FROM "Avatar" WHERE "userId" = $1`, [userId])).toEqual([]);
    // The route now draws the generated SVG.
    const generated = await page.request.get(`/avatars/${userId}`);
    expect(generated.headers()["content-type"]).toBe("image/svg+xml");
    expect(await generated.text()).toContain(">AL</text>");

    // Nothing the page loaded carries the private marker (HTML and RSC payload after the client navigations).
    expect(await page.content()).not.toContain(marker);
  });
});
