/**
 * Password policy (S3, NIST SP 800-63B). Client-safe on purpose: the sign-up
 * form's live strength meter imports this module lazily, and the server runs
 * the very same rules again through assertPasswordPolicy (lib/password).
 * No "server-only", no node: imports here.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary as commonDictionary } from "@zxcvbn-ts/language-common";
import { dictionary as englishDictionary, translations as englishTranslations } from "@zxcvbn-ts/language-en";
import { DEFAULT_MIN_SCORE, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from "./limits";

export { DEFAULT_MIN_SCORE, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH };

export type PasswordIssueCode = "too_short" | "too_long" | "breached" | "too_weak";
export type PasswordIssue = { code: PasswordIssueCode; message: string };
export type PasswordEvaluation = { ok: boolean; score: 0 | 1 | 2 | 3 | 4; issues: PasswordIssue[]; suggestion?: string };


const tooShortMessage = (minLength: number) => `Use at least ${minLength} characters.`;

const MESSAGES = {
  too_short: tooShortMessage(PASSWORD_MIN_LENGTH),
  too_long: `Password must be at most ${PASSWORD_MAX_BYTES} bytes (bcrypt's limit); multi-byte characters count more than once.`,
  breached: "This password has appeared in a data breach. Choose another.",
  too_weak: "Too easy to guess. Add another word or two.",
} satisfies Record<PasswordIssueCode, string>;

const utf8 = new TextEncoder();

// Both are costly to build (ranked dictionaries, ~50k-entry set), so they are
// made on the first evaluation, once per process or browser tab.
let strengthEstimator: ZxcvbnFactory | undefined;
let breachedPasswords: Set<string> | undefined;

function getStrengthEstimator(): ZxcvbnFactory {
  strengthEstimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations: englishTranslations,
  });
  return strengthEstimator;
}

/**
 * The offline breached/common-password corpus: the ~49k most common leaked
 * passwords bundled with @zxcvbn-ts/language-common, lower-cased so the
 * lookup is case-insensitive.
 */
function getBreachedPasswords(): Set<string> {
  breachedPasswords ??= new Set(commonDictionary["passwords-common"].map((entry) => entry.toLowerCase()));
  return breachedPasswords;
}

function isBreached(password: string): boolean {
  return getBreachedPasswords().has(password.toLowerCase());
}

function assertValidMinScore(minScore: number): void {
  if (!Number.isInteger(minScore) || minScore < 0 || minScore > 4) {
    throw new RangeError(`minScore must be an integer from 0 to 4, got ${minScore}`);
  }
}

function assertValidMinLength(minLength: number): void {
  if (!Number.isInteger(minLength) || minLength < PASSWORD_MIN_LENGTH || minLength > PASSWORD_MAX_BYTES) {
    throw new RangeError(`minLength must be an integer from ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_BYTES}, got ${minLength}`);
  }
}

/**
 * Every rule at once, so the form can show live feedback and the server can
 * list all problems in one response. `userInputs` (email, names) make
 * passwords built from them score low. Composition rules (digits, symbols)
 * are deliberately absent: NIST advises against them and S3 has them off.
 */
export function evaluatePassword(
  password: string,
  options: { userInputs?: string[]; minScore?: number; minLength?: number } = {},
): PasswordEvaluation {
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const minLength = options.minLength ?? PASSWORD_MIN_LENGTH;
  assertValidMinScore(minScore);
  assertValidMinLength(minLength);
  const issues: PasswordIssue[] = [];

  // Array.from splits by code point, so an emoji counts as one character here...
  if (Array.from(password).length < minLength) {
    issues.push({ code: "too_short", message: tooShortMessage(minLength) });
  }
  // ...and as four bytes here, which is what bcrypt sees.
  const bytes = utf8.encode(password).byteLength;
  if (bytes > PASSWORD_MAX_BYTES) {
    issues.push({ code: "too_long", message: `${MESSAGES.too_long} This one is ${bytes} bytes.` });
  }

  const breached = isBreached(password);
  const userInputs = (options.userInputs ?? []).filter((input) => input.length > 0);
  const estimate = getStrengthEstimator().check(password, userInputs);
  // A listed password is the first thing an attacker tries, whatever its
  // pattern-based score says, so the meter must not show it as strong.
  const score = breached ? 0 : estimate.score;

  let suggestion: string | undefined;
  if (breached) {
    issues.push({ code: "breached", message: MESSAGES.breached });
  } else if (score < minScore && !issues.some((issue) => issue.code === "too_short")) {
    // "Breached" and "too short" already say what to fix; "too weak" on top would be noise.
    issues.push({ code: "too_weak", message: MESSAGES.too_weak });
    suggestion = estimate.feedback.warning ?? estimate.feedback.suggestions[0];
  }

  return suggestion === undefined ? { ok: issues.length === 0, score, issues } : { ok: issues.length === 0, score, issues, suggestion };
}
