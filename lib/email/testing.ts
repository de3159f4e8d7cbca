// Test helper (imported by *.test.ts only): a real SMTP server on localhost
// (smtp-server) that parses every delivered message with mailparser.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, beforeAll } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { drainOutbox } from "./outbox";

export type TestSmtpServer = {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Waits until `count` messages have arrived (or throws after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Stops listening, as if the mail server were down; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
};

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  let port = 0;
  let server: SMTPServer;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            messages.push(parsed);
            callback();
          })
          .catch(callback);
      },
    });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = create();
      server.on("error", () => {});
      server.server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });

  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    messages,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    start: listen,
  };
}

/** The 6-digit code and the confirm/reset link in a delivered message's text part. */
export function extractCodeAndLink(message: ParsedMail): { code: string; link: string } {
  const text = message.text ?? "";
  const code = text.match(/\b(\d{6})\b/)?.[1];
  const link = text.match(/https?:\/\/\S+\?token=[A-Za-z0-9_%-]+/)?.[0];
  if (!code || !link) throw new Error(`no code/link in message:\n${text}`);
  return { code, link };
}

/**
 * For route/flow tests: a real SMTP server for the file, SMTP_URL pointed at
 * it, the in-process sending off (tests drain explicitly), and `deliver(to)`
 * which sends that address's pending mail and returns what arrived.
 */
export function useTestSmtp() {
  const state: { server?: TestSmtpServer } = {};
  beforeAll(async () => {
    state.server = await startTestSmtpServer();
    process.env.SMTP_URL = state.server.url;
    process.env.OUTBOX_LOOP = "off";
    resetConfigCache();
  });
  afterAll(async () => {
    await state.server?.stop();
    delete process.env.SMTP_URL;
    resetConfigCache();
  });
  return {
    get server() {
      return state.server!;
    },
    /** Sends every pending message to `to` and returns the newest delivered one. */
    async deliver(to: string): Promise<ParsedMail> {
      const pending = await db.outboxMessage.findMany({
        where: { to, status: "pending" },
        select: { id: true },
        orderBy: { createdAt: "asc" },
      });
      if (pending.length === 0) throw new Error(`no pending mail to ${to}`);
      const before = state.server!.messages.length;
      await drainOutbox({ ids: pending.map((row) => row.id) });
      await state.server!.waitFor(before + pending.length);
      // Parsing finishes in any order: find the newest by its Message-ID (the outbox id).
      const newest = pending[pending.length - 1]!.id;
      return state.server!.messages.find((message) => message.messageId?.startsWith(`<${newest}@`))!;
    },
    async pendingCount(to: string): Promise<number> {
      return db.outboxMessage.count({ where: { to, status: "pending" } });
    },
  };
}
