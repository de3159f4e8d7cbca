import { describe, expect, it } from "vitest";
import { renderEmail, withArticle, type EmailTemplate } from "./templates";

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

  it("puts the right article before the instance name: an Auth Portal, a Portal", async () => {
    expect(withArticle("Auth Portal")).toBe("an Auth Portal");
    expect(withArticle("Portal")).toBe("a Portal");
    const { subject, text } = await renderEmail(
      { template: "account_exists", signInUrl: "https://a.example/sign-in", resetUrl: "https://a.example/forgot-password" },
      { instanceName: "Auth Portal", brandColor: "#4f46e5" },
    );
    expect(subject).toBe("You already have an Auth Portal account");
    expect(text).toContain("create an Auth Portal account");
  });

  it("names where a sign-in was asked for, when it knows", async () => {
    const { text } = await renderEmail(
      { template: "sign_in_code", code: "123456", link, expiresInMinutes: 10, requestedFrom: { device: "Firefox on Linux", ip: "203.0.113.9", at: "30 Nov 2026, 14:03 UTC" } },
      branding,
    );
    expect(text).toContain("Requested from Firefox on Linux (IP address 203.0.113.9) on 30 Nov 2026, 14:03 UTC");
  });
});
