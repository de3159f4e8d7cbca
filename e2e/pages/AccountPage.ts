import { expect, type Locator, type Page } from "@playwright/test";

/** /account (S7): profile picture, name and username. */
export class AccountPage {
  readonly heading: Locator;
  readonly profile: Locator;
  readonly picture: Locator;
  readonly firstName: Locator;
  readonly lastName: Locator;
  readonly username: Locator;
  readonly saveProfileButton: Locator;
  /** The file input (its label looks like a button). */
  readonly pictureInput: Locator;
  /** The avatar in the signed-in header's account menu button. */
  readonly headerAvatarImage: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Profile", level: 1 });
    this.profile = page.getByRole("region", { name: "Personal information" });
    this.picture = page.getByRole("region", { name: "Profile picture" });
    this.firstName = this.profile.getByLabel("First name", { exact: true });
    this.lastName = this.profile.getByLabel("Last name", { exact: true });
    this.username = this.profile.getByLabel("Username", { exact: true });
    this.saveProfileButton = this.profile.getByRole("button", { name: "Save changes" });
    this.pictureInput = this.picture.getByLabel(/^(Upload|Change) picture$/);
    this.headerAvatarImage = page.getByRole("button", { name: "Open user menu" }).locator("img");
  }

  async goto(): Promise<void> {
    await this.page.goto("/account");
    await expect(this.heading).toBeVisible();
  }

  async saveProfile(): Promise<void> {
    await this.saveProfileButton.click();
    await expect(this.page.getByText("Profile saved")).toBeVisible();
  }

  /** Chooses an image (preview), then saves it. */
  async uploadPicture(file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.pictureInput.setInputFiles(file);
    await expect(this.picture.getByText(`Preview of ${file.name}`)).toBeVisible();
    await this.picture.getByRole("button", { name: "Save picture" }).click();
    await expect(this.page.getByText("Profile picture updated")).toBeVisible();
  }

  async removePicture(): Promise<void> {
    await this.picture.getByRole("button", { name: "Remove" }).click();
    await expect(this.page.getByText("Profile picture removed")).toBeVisible();
  }
}
