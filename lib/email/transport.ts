import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { getConfig } from "@/lib/config";

export type OutgoingEmail = {
  /** The outbox row id: reused as the Message-ID so a re-send after a crash can be recognised downstream. */
  id: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Shown on the console in development (never sent anywhere, never printed in production). */
  preview?: { code?: string; link?: string };
};

export type MailTransport = {
  /** "smtp" sends for real; "dev" only logs (the outbox row itself is the dev inbox). */
  kind: "smtp" | "dev";
  send(email: OutgoingEmail): Promise<void>;
};

let cached: { url: string; transport: MailTransport } | undefined;

/** SMTP when SMTP_URL is set, else the dev transport (S4: dev inbox + console). */
export function getMailTransport(): MailTransport {
  const { SMTP_URL, MAIL_FROM } = getConfig();
  if (!SMTP_URL) return devTransport;
  if (cached?.url !== SMTP_URL) cached = { url: SMTP_URL, transport: smtpTransport(SMTP_URL, MAIL_FROM) };
  return cached.transport;
}

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter: Transporter = nodemailer.createTransport({
    url,
    // Fail fast: the outbox retries later rather than holding a request or the loop.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const domain = from.match(/@([^>\s]+)/)?.[1] ?? "localhost";
  return {
    kind: "smtp",
    async send(email) {
      await transporter.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: `<${email.id}@${domain}>`,
      });
    },
  };
}

const devTransport: MailTransport = {
  kind: "dev",
  async send(email) {
    // Production logs are shipped and kept: a code or link there is a sign-in for whoever reads them (S4).
    if (getConfig().NODE_ENV === "production") {
      console.info(`[mail] mail to ${email.to} stored in the dev inbox (no SMTP_URL)`);
      return;
    }
    const details = [
      email.preview?.code ? `code ${email.preview.code}` : null,
      email.preview?.link ? `link ${email.preview.link}` : null,
    ]
      .filter(Boolean)
      .join(", ");
    console.info(`[mail] (dev inbox, no SMTP_URL) to ${email.to}: "${email.subject}"${details ? ` — ${details}` : ""}`);
  },
};
