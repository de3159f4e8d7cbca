import { expect, test } from "@playwright/test";
import { signUpNewUser } from "./helpers/flows";
import { AccountPage } from "./pages/AccountPage";
import { HomePage } from "./pages/HomePage";

/**
 * Every open tab follows the signed-in state (S2, S7): a sign-out in one tab
 * sends the others to sign-in at once, and a profile change shows in the
 * other tabs without a reload (BroadcastChannel, app/_components/session/).
 */
test("a profile change shows in another tab, and a sign-out in one tab signs the others out", async ({ page, context }) => {
  await signUpNewUser(page, "tabs");
  const other = await context.newPage();
  await other.goto("/");
  await expect(other.getByRole("button", { name: "Open user menu" })).toBeVisible();

  const account = new AccountPage(page);
  await account.goto();
  await account.firstName.fill("Grace");
  await account.lastName.fill("Hopper");
  await account.saveProfileButton.click();
  await expect(page.getByText("Profile saved")).toBeVisible();

  // The other tab's menu shows the new name without being reloaded.
  await other.getByRole("button", { name: "Open user menu" }).click();
  await expect(other.getByRole("menu").getByText("Grace Hopper")).toBeVisible();
  await other.keyboard.press("Escape");

  await page.goto("/");
  await new HomePage(page).signOut();
  await expect(other).toHaveURL(/\/sign-in/);
});
