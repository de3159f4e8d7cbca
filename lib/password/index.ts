import "server-only";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { PASSWORD_MAX_BYTES } from "./limits";
import { getPasswordHashPool } from "./worker-pool";
import { isImportedDigest, verifyImportedDigest } from "./imported-hashes";

export { importPasswordDigest, isPasswordHasher, PASSWORD_HASHERS, type PasswordHasher } from "./imported-hashes";

export { DEFAULT_MIN_SCORE, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from "./limits";
export type { PasswordEvaluation, PasswordIssue, PasswordIssueCode } from "./policy";

/**
 * Salt and hash of a random, discarded string. With the current cost spliced
 * in front it is a well-formed bcrypt hash that no password matches, so the
 * comparison does exactly the work a real one does at that cost.
 */
const DUMMY_SALT_AND_HASH = "ZeDufrh1TLvF2T.NttvsCO3Ymz5z351zWAi5lGB5VwdkvoWKrh6Oi";

const utf8 = new TextEncoder();

/**
 * The policy module (zxcvbn and its dictionaries), loaded on first use:
 * importing it costs most of a second of CPU, which every server start and
 * every test file would otherwise pay whether or not a password is checked.
 */
const loadPolicy = () => import("./policy");

function exceedsBcryptLimit(password: string): boolean {
  return utf8.encode(password).byteLength > PASSWORD_MAX_BYTES;
}

/** Hashes at the configured AUTH_BCRYPT_COST on a worker thread; returns the cost for the user row. */
export async function hashPassword(password: string): Promise<{ hash: string; cost: number }> {
  // bcrypt would silently drop everything after byte 72: refuse instead (callers check the policy first).
  if (exceedsBcryptLimit(password)) {
    const { evaluatePassword } = await loadPolicy();
    const { issues } = evaluatePassword(password, { minScore: 0 });
    const messages = issues.filter((issue) => issue.code === "too_long").map((issue) => issue.message);
    throw new AppError("password_policy", messages[0]!, { fields: { password: messages } });
  }
  const cost = getConfig().AUTH_BCRYPT_COST;
  const hash = await getPasswordHashPool().run({ op: "hash", password, cost });
  if (typeof hash !== "string") throw new Error("password hash worker returned a non-string hash");
  return { hash, cost };
}

/**
 * Compares on a worker thread. A digest imported from another provider
 * (lib/password/imported-hashes.ts) is checked by its own hasher, off the
 * event loop, while the bcrypt pool does the dummy comparison an unknown
 * address gets: however cheap the old hasher was, a wrong password takes at
 * least as long as for an address with no account (S3, S10).
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  // No password over 72 bytes was ever hashed here; comparing one would match
  // on its first 72 bytes alone. Same work as a real check, then no. (An
  // imported account with a longer password resets it: bcrypt cannot store it.)
  if (exceedsBcryptLimit(password)) return verifyAgainstDummyHash(password);
  if (isImportedDigest(hash)) {
    const [matches] = await Promise.all([verifyImportedDigest(password, hash), verifyAgainstDummyHash(password)]);
    return matches;
  }
  const matches = await getPasswordHashPool().run({ op: "compare", password, hash });
  if (typeof matches !== "boolean") throw new Error("password hash worker returned a non-boolean comparison");
  return matches;
}

/**
 * For an unknown email: a full bcrypt comparison at the current cost, so the
 * response takes as long as a wrong password does and does not reveal
 * whether the account exists (S3, S10).
 */
export async function verifyAgainstDummyHash(password: string): Promise<false> {
  const cost = getConfig().AUTH_BCRYPT_COST;
  const dummyHash = `$2b$${String(cost).padStart(2, "0")}$${DUMMY_SALT_AND_HASH}`;
  await getPasswordHashPool().run({ op: "compare", password, hash: dummyHash });
  return false;
}

/** True when a stored hash was made at a cost other than the configured one (rehash on sign-in). */
export function needsRehash(cost: number): boolean {
  return cost !== getConfig().AUTH_BCRYPT_COST;
}

/**
 * Server-side check of every policy rule; rejects with a 422 `password_policy`
 * AppError listing each problem under the `password` field.
 */
export async function assertPasswordPolicy(
  password: string,
  options?: { userInputs?: string[]; minScore?: number; minLength?: number },
): Promise<void> {
  const { evaluatePassword } = await loadPolicy();
  const evaluation = evaluatePassword(password, options);
  if (evaluation.ok) return;
  const messages = evaluation.issues.map((issue) => issue.message);
  if (evaluation.suggestion) messages.push(evaluation.suggestion);
  throw new AppError("password_policy", messages[0]!, { fields: { password: messages } });
}
