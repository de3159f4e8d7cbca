import "server-only";
import type { ReactNode } from "react";
import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from "@react-email/components";
import { render } from "@react-email/render";

/**
 * Transactional email templates (S4), written with React Email so the markup
 * (tables, inline styles) is the library's job and renders in common clients.
 * Each template renders to a subject, HTML and plain text.
 */

export type Branding = { instanceName: string; brandColor: string };

/** Where a sign-in or sign-up was asked for, shown so the reader can tell it was not them (S4). */
export type RequestedFrom = { device: string; ip: string | null; at: string };

export type EmailTemplate =
  | { template: "sign_in_code"; code: string; link: string; expiresInMinutes: number; requestedFrom?: RequestedFrom }
  | { template: "sign_up_code"; code: string; link: string; expiresInMinutes: number; requestedFrom?: RequestedFrom }
  | { template: "verify_email"; code: string; link: string; expiresInMinutes: number }
  | { template: "password_reset"; code: string; link: string; expiresInMinutes: number }
  | { template: "account_exists"; signInUrl: string; resetUrl: string }
  | { template: "primary_email_changed"; newEmail: string; supportUrl: string }
  | { template: "reverify_code"; code: string; expiresInMinutes: number };

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
        subject: `${message.code} is your ${name} sign-in code`,
        body: (
          <CodeAndLink
            branding={branding}
            heading={`Sign in to ${name}`}
            intro="Enter this code on the sign-in page, or use the button to sign in."
            buttonLabel="Sign in"
            {...message}
          />
        ),
      };
    case "sign_up_code":
    case "verify_email":
      return {
        subject: `${message.code} is your ${name} verification code`,
        body: (
          <CodeAndLink
            branding={branding}
            heading="Verify your email address"
            intro={`Enter this code to confirm this address for your ${name} account, or use the button.`}
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
  code: string;
  link: string;
  expiresInMinutes: number;
  requestedFrom?: RequestedFrom;
}) {
  const from = props.requestedFrom;
  return (
    <>
      <Heading style={styles.heading}>{props.heading}</Heading>
      {from ? (
        <Text style={styles.muted}>
          Requested from {from.device}
          {from.ip ? ` (IP address ${from.ip})` : ""} on {from.at}. The button works only in that browser; on any
          other device, type the code there instead.
        </Text>
      ) : null}
      <Text style={styles.text}>{props.intro}</Text>
      <Section style={styles.codeBox}>
        <Text style={styles.code}>{props.code}</Text>
      </Section>
      <ActionButton branding={props.branding} href={props.link} label={props.buttonLabel} />
      <Text style={styles.muted}>
        The code and the button work once and expire in {props.expiresInMinutes} minutes. If the button doesn’t work,
        paste this link into your browser:{" "}
        <Link href={props.link} style={styles.longLink}>
          {props.link}
        </Link>
      </Text>
      <Text style={styles.muted}>If you didn’t ask for this, you can ignore this email.</Text>
    </>
  );
}

function ActionButton({ branding, href, label }: { branding: Branding; href: string; label: string }) {
  return (
    <Section style={{ margin: "24px 0" }}>
      <Button href={href} style={{ ...styles.button, backgroundColor: branding.brandColor }}>
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
          <Text style={{ ...styles.brand, color: branding.brandColor }}>{branding.instanceName}</Text>
          {children}
          <Hr style={styles.rule} />
          <Text style={styles.footer}>Sent by {branding.instanceName}. This is an automated message.</Text>
        </Container>
      </Body>
    </Html>
  );
}

const font = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const styles = {
  body: { backgroundColor: "#f6f6f7", fontFamily: font, margin: 0, padding: "24px 0" },
  container: { backgroundColor: "#ffffff", borderRadius: "12px", margin: "0 auto", maxWidth: "480px", padding: "32px" },
  brand: { fontSize: "14px", fontWeight: 600, margin: "0 0 16px" },
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
