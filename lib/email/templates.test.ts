import { describe, expect, it } from "vitest";
import { renderEmail, type EmailTemplate } from "./templates";

const branding = { instanceName: "Acme Login", brandColor: "#0f766e" };
const link = "https://auth.example.com/sign-in/confirm?token=abc";

const cases: EmailTemplate[] = [
  { template: "sign_in_code", code: "123456", link, expiresInMinutes: 10 },
  { template: "sign_up_code", code: "123456", link, expiresInMinutes: 10 },
  { template: "verify_email", code: "123456", link, expiresInMinutes: 10 },
  { template: "password_reset", code: "123456", link, expiresInMinutes: 10 },
  {
    template: "account_exists",
    signInUrl: "https://auth.example.com/sign-in",
    resetUrl: "https://auth.example.com/forgot-password",
  },
  {
    template: "primary_email_changed",
    newEmail: "new@example.com",
    supportUrl: "https://auth.example.com/forgot-password",
  },
];

describe("email templates", () => {
  it.each(cases.map((message) => [message.template, message] as const))(
    "%s renders branded HTML and plain text",
    async (_name, message) => {
      const { subject, html, text } = await renderEmail(message, branding);
      expect(subject).toContain("Acme Login");
      expect(html).toMatch(/^<!DOCTYPE html/i);
      expect(html).toContain("Acme Login");
      // Table layout and inline styles come from React Email: what mail clients need.
      expect(html).toContain("<table");
      expect(text).toContain("Acme Login");
      expect(text).not.toMatch(/<[a-z]/i);
      if ("code" in message) {
        expect(html).toContain("123456");
        expect(text).toContain("123456");
        expect(text).toContain(link);
        expect(html).toContain("#0f766e");
        expect(text).toMatch(/10 minutes/);
      }
    },
  );
});
