import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { refreshSessionToken } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN, decodeJwtPayload } from "@/test/http";
import { createJwtTemplate, mintTemplateToken } from "./index";

/**
 * Issue 14 budget: a template token costs at most 2x a session token. Both
 * are measured as a request pays for them: the session token through the
 * refresh path (client + session + user read, then sign), the template
 * token through mintTemplateToken (template + session + user in one query,
 * then sign). Interleaved rounds, medians, so load on the machine hits both.
 */
const ROUNDS = 7;
const PER_ROUND = 40;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < PER_ROUND; i += 1) await run();
  return (performance.now() - start) / PER_ROUND;
}

describe("template mint cost", () => {
  it("mints a template token within 2x the cost of a session token", async () => {
    const { jar } = await signedUpUser();
    const sessionId = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    const clientToken = jar.values.get(CLIENT_COOKIE)!;
    const context = { ip: null, userAgent: "vitest", issuer: ORIGIN, authorizedParty: ORIGIN };
    const template = await createJwtTemplate(
      { name: "timing", claims: '{"aud": "authenticated", "email": "{{user.primary_email_address}}", "meta": "{{user.public_metadata}}"}' },
      { actorId: null },
    );
    const session = () => refreshSessionToken(clientToken, context);
    const templated = () => mintTemplateToken({ templateName: template.name, sessionId, issuer: ORIGIN });
    await timed(session);
    await timed(templated);

    const sessionTimes: number[] = [];
    const templateTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      sessionTimes.push(await timed(session));
      templateTimes.push(await timed(templated));
    }
    const ratio = median(templateTimes) / median(sessionTimes);
    console.log(`[timing] session token ${median(sessionTimes).toFixed(3)} ms, template token ${median(templateTimes).toFixed(3)} ms, ratio ${ratio.toFixed(2)}`);
    expect(ratio).toBeLessThanOrEqual(2);
  });
});
