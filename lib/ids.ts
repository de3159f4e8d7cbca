import "server-only";
import crypto from "node:crypto";
import KSUID from "ksuid";

/** Row id prefixes (SPEC S1). */
export const ID_PREFIX = {
  user: "user",
  session: "sess",
  client: "client",
  identification: "idn",
  externalAccount: "eac",
  verification: "ver",
  signingKey: "key",
  jwtTemplate: "jtmp",
  webhookEndpoint: "whe",
  webhookMessage: "msg",
  webhookAttempt: "wha",
  actorToken: "act",
  audit: "aud",
  signInAttempt: "sia",
  signUpAttempt: "sua",
  mfaFactor: "mfa",
  backupCode: "bkc",
  outbox: "out",
  apiKey: "ak",
  invitation: "inv",
  passkey: "pk",
  passkeyChallenge: "pkc",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** `<prefix>_<KSUID>`: 27 base62 characters, sortable by creation time. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${KSUID.randomSync().string}`;
}

const KSUID_EPOCH_MS = 14e11;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `count` ids of one kind made at `at`, from one draw of random bytes: what
 * `newId` makes, for a batch written at once (a webhook fan-out logs up to a
 * hundred attempts per statement). The KSUID (4-byte timestamp + 16 random
 * bytes) is base62-encoded here by long division over 32-bit words: the
 * `ksuid` package's encoder (a generic base conversion) took about 20 µs per
 * id, a visible share of a fan-out's CPU; this takes about 3. ids.test.ts
 * checks it against the package on many inputs.
 */
export function newIds(kind: IdKind, count: number, at: Date = new Date()): string[] {
  const random = crypto.randomBytes(16 * count);
  const timestamp = Math.floor((at.getTime() - KSUID_EPOCH_MS) / 1000);
  const prefix = `${ID_PREFIX[kind]}_`;
  const ids: string[] = [];
  const words = new Array<number>(5);
  for (let n = 0; n < count; n++) {
    words[0] = timestamp;
    for (let w = 0; w < 4; w++) words[w + 1] = random.readUInt32BE(16 * n + 4 * w);
    ids.push(prefix + base62Ksuid(words));
  }
  return ids;
}

/** The 27 base62 digits of the 160-bit number in `words` (five big-endian uint32s; consumed). */
function base62Ksuid(words: number[]): string {
  let digits = "";
  for (let d = 0; d < 27; d++) {
    let remainder = 0;
    for (let w = 0; w < 5; w++) {
      // remainder * 2^32 + word < 62 * 2^32: exact in a double.
      const value = remainder * 4294967296 + words[w]!;
      words[w] = Math.floor(value / 62);
      remainder = value - words[w]! * 62;
    }
    digits = BASE62[remainder] + digits;
  }
  return digits;
}
