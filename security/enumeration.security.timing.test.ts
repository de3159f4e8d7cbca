import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { useTestSmtp } from "@/lib/email/testing";
import { resetRateLimitConfigCache, setRateLimitStore } from "@/lib/ratelimit";
import { STRONG_PASSWORD, makeRequest, uniqueEmail } from "@/test/http";
import { median, nextIp, passwordUser } from "./helpers";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * S10 enumeration: for each endpoint that takes an identifier, a known and an
 * unknown address get the same status, the same body (ids masked) and the
 * same cookies, and their median response times differ by less than 20 %.
 * Timing: 50 rounds after a warm-up, each a known and an unknown request
 * back to back in random order; the median of the per-round known/unknown
 * ratios must be within 20 % of 1 (medians of pairs stay steady when other
 * work loads the machine; independent medians did not). bcrypt cost 4.
 * Each endpoint is measured once; its two tests read the same measurement.
 * A fresh address per request, so resend cooldowns and rate limits (off here:
 * they answer both alike anyway) do not mix into the timing.
 */
useTestSmtp(); // mail goes to a local SMTP server, never out
const ROUNDS = 50;
const WARM_UP = 5;
const MAX_RELATIVE_DIFFERENCE = 0.2;

beforeAll(() => {
  process.env.RATE_LIMIT = "off";
  resetRateLimitConfigCache();
  setRateLimitStore(steadyMemoryStore());
});
afterAll(() => {
  delete process.env.RATE_LIMIT;
  resetRateLimitConfigCache();
  setRateLimitStore(undefined);
});

type Endpoint = {
  name: string;
  call: (email: string) => Promise<Response>;
};

const post = (route: (request: never) => Promise<Response>, path: string, body: unknown) =>
  route(makeRequest(path, { body, headers: { "x-forwarded-for": nextIp() } }) as never);

const ENDPOINTS: Endpoint[] = [
  { name: "sign-in (wrong password)", call: (email) => post(signInRoute, "/api/auth/sign-in", { email, password: "not the right password" }) },
  { name: "sign-up", call: (email) => post(signUpRoute, "/api/auth/sign-up", { email, password: STRONG_PASSWORD }) },
  { name: "password reset send", call: (email) => post(resetSendRoute, "/api/auth/password-reset/send", { email }) },
  { name: "email code/link send (sign-in)", call: (email) => post(emailSendRoute, "/api/auth/email/send", { email, intent: "sign_in" }) },
];

/** Status, body with ids and timestamps masked, and the names of the cookies set. */
async function fingerprint(response: Response) {
  const text = await response.text();
  const masked = text.replace(/"(?:[a-z]+_)[0-9A-Za-z]{27}"/g, '"<id>"').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
  const cookies = response.headers.getSetCookie().map((line) => line.split("=")[0]).sort();
  return { status: response.status, body: masked, cookies };
}

async function knownAddresses(count: number): Promise<string[]> {
  const users = [];
  for (let i = 0; i < count; i++) users.push((await passwordUser()).email);
  return users;
}

async function measure(endpoint: Endpoint) {
  const known = await knownAddresses(ROUNDS + WARM_UP + 1);
  const unknown = Array.from({ length: ROUNDS + WARM_UP + 1 }, () => uniqueEmail("nobody"));
  const reference = await fingerprint(await endpoint.call(known[0]!));
  const prints = [reference, await fingerprint(await endpoint.call(unknown[0]!))];
  const times = { known: [] as number[], unknown: [] as number[] };
  const logRatios: number[] = [];
  for (let round = 1; round <= ROUNDS + WARM_UP; round++) {
    const order = Math.random() < 0.5 ? (["known", "unknown"] as const) : (["unknown", "known"] as const);
    const pair: Record<string, number> = {};
    for (const kind of order) {
      const started = performance.now();
      const response = await endpoint.call((kind === "known" ? known : unknown)[round]!);
      pair[kind] = performance.now() - started;
      prints.push(await fingerprint(response));
    }
    if (round <= WARM_UP) continue;
    times.known.push(pair.known!);
    times.unknown.push(pair.unknown!);
    logRatios.push(Math.log(pair.known! / pair.unknown!));
  }
  // Each known request is compared with the unknown one right next to it, so load from
  // other processes (parallel test files, builds) hits both sides of a pair alike.
  const pairedRatio = Math.exp(median(logRatios));
  const difference = Math.abs(pairedRatio - 1) / Math.max(pairedRatio, 1);
  const medians = { known: median(times.known), unknown: median(times.unknown) };
  console.info(
    `[enumeration] ${endpoint.name}: median known ${medians.known.toFixed(1)} ms, unknown ${medians.unknown.toFixed(1)} ms; ` +
      `median paired ratio ${pairedRatio.toFixed(3)} -> difference ${(difference * 100).toFixed(1)} %`,
  );
  return { reference, prints, difference };
}

const measurements = new Map<string, ReturnType<typeof measure>>();
const measured = (endpoint: Endpoint) => {
  if (!measurements.has(endpoint.name)) measurements.set(endpoint.name, measure(endpoint));
  return measurements.get(endpoint.name)!;
};

describe("enumeration: known vs unknown identifiers", () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: identical status, body and cookies`, { timeout: 180_000 }, async () => {
      const { reference, prints } = await measured(endpoint);
      expect(reference.status).toBeLessThan(500);
      for (const print of prints) expect(print).toEqual(reference);
    });

    it(`${endpoint.name}: median timing within 20 %`, { timeout: 180_000 }, async () => {
      const { difference } = await measured(endpoint);
      expect(difference).toBeLessThan(MAX_RELATIVE_DIFFERENCE);
    });
  }

  it("control: the measurement catches a 40 % gap (known addresses made artificially slower)", { timeout: 180_000 }, async () => {
    let lastUnknownMs = 5;
    const signIn = ENDPOINTS[0]!;
    const slowForKnown: Endpoint = {
      name: "control",
      call: async (email) => {
        const started = performance.now();
        const response = await signIn.call(email);
        const elapsed = performance.now() - started;
        // passwordUser() addresses start with "sec.", unknown ones with "nobody.".
        if (email.startsWith("sec.")) await new Promise((resolve) => setTimeout(resolve, Math.max(1, 0.4 * lastUnknownMs)));
        else lastUnknownMs = elapsed;
        return response;
      },
    };
    const { difference } = await measure(slowForKnown);
    expect(difference).toBeGreaterThan(MAX_RELATIVE_DIFFERENCE);
  });
});

