import { AppError } from "@/lib/errors";
import type { InstanceSettings } from "./settings";

type ContentSetting = Pick<InstanceSettings, "verificationEmailContent">;

/** What a verification email (sign-up, an added address) carries, by the S8 setting. */
export function verificationEmailParts(settings: ContentSetting): { code: boolean; link: boolean } {
  const content = settings.verificationEmailContent;
  return { code: content !== "link", link: content !== "code" };
}

/**
 * The code or the link of a verification email, refused when the setting leaves it out:
 * also for emails sent before an admin changed it (they carried both).
 */
export function assertVerificationBy(settings: ContentSetting, by: "code" | "link"): void {
  if (verificationEmailParts(settings)[by]) return;
  throw by === "code"
    ? new AppError("forbidden", "Codes no longer verify email addresses here: use the link in the email instead.")
    : new AppError("forbidden", "Links no longer verify email addresses here: type the code from the email instead.");
}

/** The same, as the "check your email" step names it (app/_components/CodeStep.tsx `contents`). */
export function verificationStepContents(settings: ContentSetting): "code_and_link" | "code" | "link" {
  const { code, link } = verificationEmailParts(settings);
  return code && link ? "code_and_link" : code ? "code" : "link";
}
