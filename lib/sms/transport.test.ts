import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { getSmsTransport, type OutgoingSms } from "./transport";

const CODE = "482916";
const sms: OutgoingSms = {
  id: "out_test",
  to: "+14155552671",
  body: `${CODE} is your Auth Portal verification code. It expires in 10 minutes.\n\n@localhost #${CODE}`,
};

/** Everything the dev transport writes to the console for one SMS under `nodeEnv`. */
async function consoleOutput(nodeEnv: string): Promise<string> {
  (process.env as Record<string, string>).NODE_ENV = nodeEnv;
  resetConfigCache();
  const lines: unknown[][] = [];
  const record = (...args: unknown[]) => void lines.push(args);
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) => vi.spyOn(console, method).mockImplementation(record));
  try {
    const transport = getSmsTransport();
    expect(transport.kind).toBe("dev");
    await transport.send(sms);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((args) => args.join(" ")).join("\n");
}

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  resetConfigCache();
});

describe("dev SMS transport", () => {
  it("in production prints neither the code nor the full number, only that a text was stored", async () => {
    const output = await consoleOutput("production");
    expect(output).toContain("•••• 2671");
    expect(output).not.toContain(CODE);
    expect(output).not.toContain("4155552671");
    // Control: development shows the text with its code, so the check above can see it.
    const development = await consoleOutput("development");
    expect(development).toContain(CODE);
    expect(development).toContain("+14155552671");
  });
});
