import "server-only";
import type { ReactNode } from "react";
// One package per component rather than the @react-email/components barrel:
// the barrel also loads the code-block (prismjs), markdown and tailwind
// components, about a second of CPU at every server (and test file) start.
import { Body } from "@react-email/body";
import { Button } from "@react-email/button";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Heading } from "@react-email/heading";
import { Hr } from "@react-email/hr";
import { Html } from "@react-email/html";
import { Img } from "@react-email/img";
import { Link } from "@react-email/link";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { render } from "@react-email/render";
import { buttonColors, brandPalette } from "@/lib/branding/palette";

/**
 * Transactional email templates (S4), written with React Email so the markup
 * (tables, inline styles) is the library's job and renders in common clients.
 * Each template renders to a subject, HTML and plain text.
 */

export type Branding = {
  instanceName: string;
  brandColor: string;
  /** The instance logo as an absolute URL with its size, or none (no logo, or the instance URL is unknown). */
  logo?: { url: string; width: number; height: number } | null;
};

/** Emails show the logo at most this high (the stored one is up to 256 px: sharp on dense screens). */
const EMAIL_LOGO_HEIGHT = 40;

/** Where a sign-in or sign-up was asked for, shown so the reader can tell it was not them (S4). */
export type RequestedFrom = { device: string; ip: string | null; at: string };

export type EmailTemplate =
  /** The code, the link, or both: whichever sign-in method the instance has on (S8). */
  | { template: "sign_in_code"; code?: string; link?: string; expiresInMinutes: number; requestedFrom?: RequestedFrom }
  /** Verification emails: the code, the link, or both, as the `verificationEmailContent` setting says (S8). */
  | { template: "sign_up_code"; code?: string; link?: string; expiresInMinutes: number; requestedFrom?: RequestedFrom }
  | { template: "verify_email"; code?: string; link?: string; expiresInMinutes: number }
  | { template: "password_reset"; code: string; link: string; expiresInMinutes: number }
  | { template: "account_exists"; signInUrl: string; resetUrl: string }
  | { template: "primary_email_changed"; newEmail: string; supportUrl: string }
  | { template: "reverify_code"; code: string; expiresInMinutes: number }
  /** An admin invited this address to sign up (S8); the link opens the sign-up page with the invitation. */
  | { template: "invitation"; link: string; expiresInDays: number };

export type EmailTemplateName = EmailTemplate["template"];

export type RenderedEmail = { subject: string; html: string; text: string };

export async function renderEmail(message: EmailTemplate, branding: Branding): Promise<RenderedEmail> {
  const { subject, body } = compose(message, branding);
  const element = (
    <Layout branding={branding} preview={subject}>
      {body}
    </Layout>
  );
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject, html, text };
}

function compose(message: EmailTemplate, branding: Branding): { subject: string; body: ReactNode } {
  const name = branding.instanceName;
  switch (message.template) {
    case "sign_in_code":
      return {
        subject: message.code ? `${message.code} is your ${name} sign-in code` : `Your ${name} sign-in link`,
        body: (
          <CodeAndLink
            branding={branding}
            heading={`Sign in to ${name}`}
            intro={
              message.code && message.link
                ? "Enter this code on the sign-in page, or use the button to sign in."
                : message.code
                  ? "Enter this code on the sign-in page."
                  : "Use the button to sign in."
            }
            buttonLabel="Sign in"
            {...message}
          />
        ),
      };
    case "sign_up_code":
    case "verify_email":
      return {
        subject: message.code ? `${message.code} is your ${name} verification code` : `Verify your email address for ${name}`,
        body: (
          <CodeAndLink
            branding={branding}
            heading="Verify your email address"
            intro={
              message.code && message.link
                ? `Enter this code to confirm this address for your ${name} account, or use the button.`
                : message.code
                  ? `Enter this code to confirm this address for your ${name} account.`
                  : `Use the button to confirm this address for your ${name} account.`
            }
            buttonLabel="Verify email address"
            {...message}
          />
        ),
      };
    case "password_reset":
      return {
        subject: `Reset your ${name} password`,
        body: (
          <CodeAndLink
            branding={branding}
            heading="Reset your password"
            intro="Enter this code on the reset page, or use the button to choose a new password."
            buttonLabel="Choose a new password"
            {...message}
          />
        ),
      };
    case "account_exists":
      return {
        subject: `You already have ${withArticle(name)} account`,
        body: (
          <>
            <Heading style={styles.heading}>You already have an account</Heading>
            <Text style={styles.text}>
              Someone (hopefully you) tried to create {withArticle(name)} account with this email address. There is already an
              account for it, so nothing was changed.
            </Text>
            <ActionButton branding={branding} href={message.signInUrl} label="Sign in" />
            <Text style={styles.muted}>
              Forgot your password? <Link href={message.resetUrl}>Reset it here</Link>. If this wasn’t you, you can
              ignore this email.
            </Text>
          </>
        ),
      };
    case "reverify_code":
      return {
        subject: `${message.code} is your ${name} confirmation code`,
        body: (
          <>
            <Heading style={styles.heading}>Confirm it’s you</Heading>
            <Text style={styles.text}>Enter this code to confirm a change to your {name} account.</Text>
            <Section style={styles.codeBox}>
              <Text style={styles.code}>{message.code}</Text>
            </Section>
            <Text style={styles.muted}>
              The code works once and expires in {message.expiresInMinutes} minutes. If you didn’t ask for it, someone may be
              using your account: sign out of all devices from your account page.
            </Text>
          </>
        ),
      };
    case "invitation":
      return {
        subject: `You’re invited to ${name}`,
        body: (
          <>
            <Heading style={styles.heading}>You’re invited</Heading>
            <Text style={styles.text}>
              An administrator of {name} invited you to create an account with this email address.
            </Text>
            <ActionButton branding={branding} href={message.link} label="Create your account" />
            <Text style={styles.muted}>
              The invitation works once and expires in {message.expiresInDays} days. If the button doesn’t work, paste
              this link into your browser:{" "}
              <Link href={message.link} style={styles.longLink}>
                {message.link}
              </Link>
            </Text>
            <Text style={styles.muted}>If you weren’t expecting this, you can ignore this email.</Text>
          </>
        ),
      };
    case "primary_email_changed":
      return {
        subject: `Your ${name} email address was changed`,
        body: (
          <>
            <Heading style={styles.heading}>Your primary email address changed</Heading>
            <Text style={styles.text}>
              The primary email address of your {name} account is now {message.newEmail}. This address will no longer
              receive sign-in codes.
            </Text>
            <Text style={styles.muted}>
              If you didn’t make this change, <Link href={message.supportUrl}>secure your account</Link> right away.
            </Text>
          </>
        ),
      };
  }
}

/** "an Auth Portal", "a Portal": the article English puts before the instance name (by its first letter). */
export function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name.trim()) ? "an" : "a"} ${name}`;
}

function CodeAndLink(props: {
  branding: Branding;
  heading: string;
  intro: string;
  buttonLabel: string;
  /** Either may be missing (sign-in by code only or link only, S8), never both. */
  code?: string;
  link?: string;
  expiresInMinutes: number;
  requestedFrom?: RequestedFrom;
}) {
  const from = props.requestedFrom;
  const what = props.code && props.link ? "The code and the button work" : props.code ? "The code works" : "The button works";
  return (
    <>
      <Heading style={styles.heading}>{props.heading}</Heading>
      {from ? (
        <Text style={styles.muted}>
          Requested from {from.device}
          {from.ip ? ` (IP address ${from.ip})` : ""} on {from.at}.
          {props.link ? (props.code ? " The button works only in that browser; on any other device, type the code there instead." : " The button works only in that browser.") : ""}
        </Text>
      ) : null}
      <Text style={styles.text}>{props.intro}</Text>
      {props.code ? (
        <Section style={styles.codeBox}>
          <Text style={styles.code}>{props.code}</Text>
        </Section>
      ) : null}
      {props.link ? <ActionButton branding={props.branding} href={props.link} label={props.buttonLabel} /> : null}
      <Text style={styles.muted}>
        {what} once and expire{props.code && props.link ? "" : "s"} in {props.expiresInMinutes} minutes.
        {props.link ? (
          <>
            {" "}
            If the button doesn’t work, paste this link into your browser:{" "}
            <Link href={props.link} style={styles.longLink}>
              {props.link}
            </Link>
          </>
        ) : null}
      </Text>
      <Text style={styles.muted}>If you didn’t ask for this, you can ignore this email.</Text>
    </>
  );
}

function ActionButton({ branding, href, label }: { branding: Branding; href: string; label: string }) {
  // The brand colour as chosen, with white or near-black text, whichever passes WCAG AA on it.
  const colors = buttonColors(branding.brandColor);
  return (
    <Section style={{ margin: "24px 0" }}>
      <Button href={href} style={{ ...styles.button, backgroundColor: colors.background, color: colors.foreground }}>
        {label}
      </Button>
    </Section>
  );
}

function Layout({ branding, preview, children }: { branding: Branding; preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          {branding.logo ? <Logo logo={branding.logo} alt={branding.instanceName} /> : null}
          {/* The name as text, in the brand colour made readable on white (AA). */}
          <Text style={{ ...styles.brand, color: brandPalette(branding.brandColor).light.primary }}>{branding.instanceName}</Text>
          {children}
          <Hr style={styles.rule} />
          <Text style={styles.footer}>Sent by {branding.instanceName}. This is an automated message.</Text>
        </Container>
      </Body>
    </Html>
  );
}

function Logo({ logo, alt }: { logo: NonNullable<Branding["logo"]>; alt: string }) {
  const height = Math.min(EMAIL_LOGO_HEIGHT, logo.height);
  const width = Math.max(1, Math.round((logo.width * height) / logo.height));
  return <Img src={logo.url} width={width} height={height} alt={alt} style={styles.logo} />;
}

const font = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const styles = {
  body: { backgroundColor: "#f6f6f7", fontFamily: font, margin: 0, padding: "24px 0" },
  container: { backgroundColor: "#ffffff", borderRadius: "12px", margin: "0 auto", maxWidth: "480px", padding: "32px" },
  brand: { fontSize: "14px", fontWeight: 600, margin: "0 0 16px" },
  logo: { display: "block", margin: "0 0 8px", border: 0 },
  heading: { color: "#111827", fontSize: "22px", fontWeight: 600, margin: "0 0 12px" },
  text: { color: "#374151", fontSize: "15px", lineHeight: "24px", margin: "0 0 16px" },
  muted: { color: "#6b7280", fontSize: "13px", lineHeight: "20px", margin: "0 0 12px" },
  // Long links wrap anywhere instead of widening the email.
  longLink: { wordBreak: "break-all" as const },
  codeBox: { backgroundColor: "#f3f4f6", borderRadius: "8px", margin: "8px 0 0", padding: "12px" },
  code: {
    color: "#111827",
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    fontSize: "32px",
    fontWeight: 700,
    letterSpacing: "8px",
    margin: 0,
    textAlign: "center" as const,
  },
  button: {
    borderRadius: "8px",
    color: "#ffffff",
    fontSize: "15px",
    fontWeight: 600,
    padding: "12px 20px",
    textDecoration: "none",
  },
  rule: { borderColor: "#e5e7eb", margin: "24px 0 16px" },
  footer: { color: "#9ca3af", fontSize: "12px", margin: 0 },
};
