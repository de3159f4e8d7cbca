import "server-only";
import { z } from "zod";
import { createChallenge, randomInt, verifySolution, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { derivedSecret } from "@/lib/crypto";
import type { InstanceSettings } from "@/lib/settings";

/**
 * The built-in proof of work (S10): ALTCHA challenges made and checked here,
 * solved by the `altcha` widget in the browser. No network calls, no third
 * party. Challenges are signed with AUTH_SECRET-derived keys, so any instance
 * of the portal can check another's, and nothing about them is stored until
 * one is used (lib/bot-protection/replay.ts makes each usable once).
 */

/** Long enough for a person to fill in the sign-up form; the widget fetches a new one when it expires. */
export const BOT_CHALLENGE_TTL_MS = 10 * 60 * 1000;

/**
 * PBKDF2/SHA-256 iterations per try, and the range the answer (the counter)
 * is drawn from: the browser tries counters from 0 up, so the expected work is
 * about cost x (min + max) / 2. Measured in Node (one core, WebCrypto):
 * normal takes about 0.5 s; a phone's browser with two workers, about 1 s.
 */
export const BOT_CHALLENGE_DIFFICULTY = {
  low: { cost: 500, counter: [500, 1_500] },
  normal: { cost: 1_000, counter: [1_000, 2_500] },
  high: { cost: 2_000, counter: [2_500, 5_000] },
} as const satisfies Record<InstanceSettings["botChallengeDifficulty"], { cost: number; counter: readonly [number, number] }>;

const ALGORITHM = "PBKDF2/SHA-256";

/**
 * A new signed challenge. Deterministic mode: the server knows the answer and
 * signs the key it derives, so checking a solution is one HMAC, not the work.
 */
export async function issueAltchaChallenge(
  difficulty: InstanceSettings["botChallengeDifficulty"],
  now: number = Date.now(),
): Promise<Challenge> {
  const { cost, counter } = BOT_CHALLENGE_DIFFICULTY[difficulty];
  return createChallenge({
    algorithm: ALGORITHM,
    cost,
    counter: randomInt(counter[1], counter[0]),
    deriveKey,
    expiresAt: new Date(now + BOT_CHALLENGE_TTL_MS),
    hmacSignatureSecret: derivedSecret("bot-challenge"),
    hmacKeySignatureSecret: derivedSecret("bot-challenge-key"),
  });
}

/** What the widget posts: base64 of `{ challenge: { parameters, signature }, solution }`. */
const payloadSchema = z.object({
  challenge: z.object({
    // Loose: the signature covers every parameter, so none may be dropped before the check.
    parameters: z.looseObject({
      algorithm: z.literal(ALGORITHM),
      nonce: z.string().max(200),
      salt: z.string().max(200),
      cost: z.number().int().positive(),
      keyLength: z.number().int().positive().max(64),
      keyPrefix: z.string().max(200),
      keySignature: z.string().max(200).optional(),
      expiresAt: z.number().optional(),
      data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    }),
    signature: z.string().min(1).max(200),
  }),
  solution: z.object({
    counter: z.number().int().nonnegative(),
    derivedKey: z.string().max(200),
    time: z.number().optional(),
  }),
});

export type AltchaCheck =
  | { ok: true; signature: string; expiresAt: Date }
  | { ok: false; reason: "challenge_invalid" | "challenge_expired" };

/**
 * Checks a solution's signature, expiry and work. Single use is the caller's
 * part (the signature identifies the challenge). Anything malformed, including
 * the widget's own test-mode payload, is simply invalid.
 */
export async function checkAltchaSolution(payload: string): Promise<AltchaCheck> {
  let parsed;
  try {
    parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(payload, "base64").toString("utf8")));
  } catch {
    return { ok: false, reason: "challenge_invalid" };
  }
  if (!parsed.success) return { ok: false, reason: "challenge_invalid" };
  const { challenge, solution } = parsed.data;
  // Deterministic challenges only: without the key signature the check would have to redo the work.
  if (!challenge.parameters.keySignature || challenge.parameters.expiresAt === undefined) {
    return { ok: false, reason: "challenge_invalid" };
  }
  const result = await verifySolution({
    challenge,
    solution,
    deriveKey,
    hmacSignatureSecret: derivedSecret("bot-challenge"),
    hmacKeySignatureSecret: derivedSecret("bot-challenge-key"),
  });
  if (result.verified) {
    return { ok: true, signature: challenge.signature, expiresAt: new Date(challenge.parameters.expiresAt * 1000) };
  }
  // altcha-lib checks expiry first: "expired" then says nothing about the signature (refused either way).
  return { ok: false, reason: result.expired ? "challenge_expired" : "challenge_invalid" };
}
