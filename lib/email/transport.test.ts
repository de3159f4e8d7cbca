import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { getMailTransport, type OutgoingEmail } from "./transport";

const CODE = "482916";
const LINK = "http://localhost:3000/confirm-link?token=secret-link-token";
const email: OutgoingEmail = {
  id: "outbox_test",
  to: "someone@example.com",
  subject: `${CODE} is your Auth Portal sign-in code`,
  html: `<p>${CODE}</p>`,
  text: `${CODE} ${LINK}`,
  preview: { code: CODE, link: LINK },
};

/** Everything the dev transport writes to the console for one email under `nodeEnv`. */
async function consoleOutput(nodeEnv: string): Promise<string> {
  (process.env as Record<string, string>).NODE_ENV = nodeEnv;
  delete process.env.SMTP_URL;
  resetConfigCache();
  const lines: unknown[][] = [];
  const record = (...args: unknown[]) => void lines.push(args);
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) => vi.spyOn(console, method).mockImplementation(record));
  try {
    await getMailTransport().send(email);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((args) => args.join(" ")).join("\n");
}

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  resetConfigCache();
});

describe("dev mail transport", () => {
  it("in production prints neither the code nor the link (not even in the subject), only where the mail went", async () => {
    const output = await consoleOutput("production");
    expect(output).toContain("someone@example.com");
    expect(output).not.toContain(CODE);
    expect(output).not.toContain("secret-link-token");
    // Control: development still shows both, so the check above can see them.
    const development = await consoleOutput("development");
    expect(development).toContain(CODE);
    expect(development).toContain("secret-link-token");
  });
});
