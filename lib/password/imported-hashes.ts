import "server-only";
import crypto from "node:crypto";
import { promisify } from "node:util";
import { parseOptions as parseArgon2Options, verify as verifyArgon2 } from "@node-rs/argon2";
import { AppError } from "@/lib/errors";

/**
 * Password digests exported by another provider (issue 19): checked at sign-in
 * until the first successful one, which stores our bcrypt instead
 * (lib/sign-in/password-sign-in.ts rehashes whenever `passwordCost` is null).
 *
 * Hasher names are Clerk's (`password_hasher` in its API and exports), plus
 * `scrypt` for a PHC scrypt string. Every digest is kept in `User.passwordHash`
 * in a self-describing form, so verification dispatches on the stored string
 * alone:
 *
 *   bcrypt                 $2a$ / $2b$ / $2y$...            (as exported; verified by our bcrypt worker pool)
 *   argon2i, argon2id      $argon2i$... / $argon2id$...      (PHC, as exported)
 *   scrypt                 $scrypt$ln=..,r=..,p=..$salt$hash (PHC, base64 without padding)
 *   scrypt_werkzeug        scrypt:N:r:p$salt$hexhash         (Werkzeug's own form)
 *   pbkdf2_sha256          $pbkdf2-sha256$i=..$salt$hash     (PHC-style, base64 without padding)
 *   pbkdf2_sha256_django   pbkdf2_sha256$iterations$salt$hash (Django's own form; the salt is text)
 *   scrypt_firebase        $firebase-scrypt$rounds=..,mem_cost=..$salt$separator$signerKey$hash
 *
 * The slow functions run off the event loop: argon2 on @node-rs/argon2's
 * threads, scrypt and PBKDF2 through node:crypto's async API (libuv pool).
 */
export const PASSWORD_HASHERS = [
  "bcrypt",
  "argon2i",
  "argon2id",
  "scrypt",
  "scrypt_firebase",
  "scrypt_werkzeug",
  "pbkdf2_sha256",
  "pbkdf2_sha256_django",
] as const;

export type PasswordHasher = (typeof PASSWORD_HASHERS)[number];

export function isPasswordHasher(value: string): value is PasswordHasher {
  return (PASSWORD_HASHERS as readonly string[]).includes(value);
}

type ScryptParams = { N: number; r: number; p: number };

type ParsedDigest =
  | { scheme: "bcrypt"; digest: string }
  | { scheme: "argon2"; digest: string }
  | ({ scheme: "scrypt"; salt: Buffer; hash: Buffer } & ScryptParams)
  | ({ scheme: "scrypt_werkzeug"; salt: string; hash: Buffer } & ScryptParams)
  | { scheme: "pbkdf2_sha256"; iterations: number; salt: Buffer; hash: Buffer }
  | { scheme: "pbkdf2_sha256_django"; iterations: number; salt: string; hash: Buffer }
  | { scheme: "scrypt_firebase"; rounds: number; memCost: number; salt: Buffer; saltSeparator: Buffer; signerKey: Buffer; hash: Buffer };

// Limits against a digest that would tie a sign-in up for minutes or exhaust memory
// (an import file is trusted, but a typo in it should not take the server down).
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_MEMORY_BYTES = 1024 * 1024 * 1024;
const MAX_ARGON2_MEMORY_KIB = 1024 * 1024;
const MAX_ARGON2_TIME_COST = 100;

const scryptAsync = promisify(crypto.scrypt) as (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const pbkdf2Async = promisify(crypto.pbkdf2);

class DigestFormatError extends Error {}

function invalid(message: string): never {
  throw new DigestFormatError(message);
}

/**
 * Decodes standard base64, base64url or passlib's "adapted" base64 ('.' for
 * '+'), with or without padding; anything else is not a digest.
 */
function decodeBase64(value: string, what: string): Buffer {
  const normalized = value.replace(/-/g, "+").replace(/_/g, "/").replace(/\./g, "+").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(normalized) || normalized.length % 4 === 1) invalid(`the ${what} is not base64`);
  return Buffer.from(normalized, "base64");
}

const unpadded = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

function positiveInteger(value: string | undefined, what: string, max: number): number {
  if (!value || !/^\d{1,10}$/.test(value)) invalid(`${what} must be a positive integer`);
  const number = Number(value);
  if (number < 1 || number > max) invalid(`${what} must be between 1 and ${max}`);
  return number;
}

/** Memory scrypt needs (OpenSSL's own estimate, 128·r·(N + p + 2) bytes), refused above the limit. */
function scryptMemory({ N, r, p }: ScryptParams): number {
  const bytes = 128 * r * (N + p + 2);
  if (bytes > MAX_SCRYPT_MEMORY_BYTES) invalid(`scrypt parameters need more than ${MAX_SCRYPT_MEMORY_BYTES / 1024 / 1024} MiB`);
  return bytes;
}

function scryptParams(N: number, r: number, p: number): ScryptParams {
  if (N < 2 || (N & (N - 1)) !== 0) invalid("scrypt's N must be a power of two");
  const params = { N, r, p };
  scryptMemory(params);
  return params;
}

function nonEmptyHash(hash: Buffer): Buffer {
  if (hash.length < 16) invalid("the hash is too short");
  return hash;
}

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

function parseBcrypt(digest: string): ParsedDigest {
  const match = BCRYPT.exec(digest);
  if (!match) invalid("expected $2a$, $2b$ or $2y$, a two-digit cost and 53 characters of salt and hash");
  const cost = Number(match[1]);
  if (cost < 4 || cost > 31) invalid("bcrypt's cost must be between 4 and 31");
  return { scheme: "bcrypt", digest };
}

function parseArgon2(digest: string, variant: "argon2i" | "argon2id"): ParsedDigest {
  if (!digest.startsWith(`$${variant}$`)) invalid(`expected a PHC string starting with $${variant}$`);
  let options;
  try {
    options = parseArgon2Options(digest);
  } catch {
    invalid("not a valid argon2 PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)");
  }
  if (options.memoryCost > MAX_ARGON2_MEMORY_KIB) invalid(`argon2's memory cost must be at most ${MAX_ARGON2_MEMORY_KIB} KiB`);
  if (options.timeCost > MAX_ARGON2_TIME_COST) invalid(`argon2's time cost must be at most ${MAX_ARGON2_TIME_COST}`);
  return { scheme: "argon2", digest };
}

// $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash> (PHC; passlib writes the same)
const SCRYPT_PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/;

function parseScryptPhc(digest: string): ParsedDigest {
  const match = SCRYPT_PHC.exec(digest);
  if (!match) invalid("expected $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>");
  const ln = positiveInteger(match[1], "ln", 30);
  const params = scryptParams(2 ** ln, positiveInteger(match[2], "r", 1024), positiveInteger(match[3], "p", 1024));
  return { scheme: "scrypt", ...params, salt: decodeBase64(match[4]!, "salt"), hash: nonEmptyHash(decodeBase64(match[5]!, "hash")) };
}

// Werkzeug: scrypt:<N>:<r>:<p>$<salt>$<hex hash> (a bare "scrypt" method means its defaults, 2^15:8:1).
// Clerk's documentation writes it with a leading "$".
const SCRYPT_WERKZEUG = /^\$?scrypt(?::(\d+):(\d+):(\d+))?\$([^$]+)\$([0-9a-fA-F]+)$/;

function parseScryptWerkzeug(digest: string): ParsedDigest {
  const match = SCRYPT_WERKZEUG.exec(digest);
  if (!match) invalid("expected scrypt:<N>:<r>:<p>$<salt>$<hex hash> (Werkzeug's generate_password_hash)");
  const params = match[1]
    ? scryptParams(positiveInteger(match[1], "N", 2 ** 30), positiveInteger(match[2], "r", 1024), positiveInteger(match[3], "p", 1024))
    : scryptParams(2 ** 15, 8, 1);
  if (match[5]!.length % 2 !== 0) invalid("the hash is not hex");
  return { scheme: "scrypt_werkzeug", ...params, salt: match[4]!, hash: nonEmptyHash(Buffer.from(match[5]!, "hex")) };
}

// Clerk's pbkdf2_sha256: pbkdf2_sha256$<iterations>$<base64 salt>$<base64 hash>;
// PHC-style $pbkdf2-sha256$i=<iterations>[,l=<length>]$<salt>$<hash> (Auth0's export writes l=);
// passlib $pbkdf2-sha256$<iterations>$<salt>$<hash>.
const PBKDF2_CLERK = /^pbkdf2_sha256\$(\d+)\$([^$]+)\$([^$]+)$/;
const PBKDF2_PHC = /^\$pbkdf2-sha256\$(?:i=)?(\d+)(?:,l=\d+)?\$([^$]+)\$([^$]+)$/;

function parsePbkdf2(digest: string): ParsedDigest {
  const match = PBKDF2_PHC.exec(digest) ?? PBKDF2_CLERK.exec(digest);
  if (!match) invalid("expected pbkdf2_sha256$<iterations>$<base64 salt>$<base64 hash> or $pbkdf2-sha256$i=<iterations>$<salt>$<hash>");
  return {
    scheme: "pbkdf2_sha256",
    iterations: positiveInteger(match[1], "iterations", MAX_PBKDF2_ITERATIONS),
    salt: decodeBase64(match[2]!, "salt"),
    hash: nonEmptyHash(decodeBase64(match[3]!, "hash")),
  };
}

// Django: pbkdf2_sha256$<iterations>$<salt as text>$<base64 hash>
const PBKDF2_DJANGO = /^pbkdf2_sha256\$(\d+)\$([^$]+)\$([^$]+)$/;

function parsePbkdf2Django(digest: string): ParsedDigest {
  const match = PBKDF2_DJANGO.exec(digest);
  if (!match) invalid("expected pbkdf2_sha256$<iterations>$<salt>$<base64 hash> (as Django stores it)");
  return {
    scheme: "pbkdf2_sha256_django",
    iterations: positiveInteger(match[1], "iterations", MAX_PBKDF2_ITERATIONS),
    salt: match[2]!,
    hash: nonEmptyHash(decodeBase64(match[3]!, "hash")),
  };
}

// Clerk's scrypt_firebase: <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<mem cost>, all base64.
const FIREBASE_CLERK = /^([^$]+)\$([^$]+)\$([^$]+)\$([^$]*)\$(\d+)\$(\d+)$/;
const FIREBASE_STORED = /^\$firebase-scrypt\$rounds=(\d+),mem_cost=(\d+)\$([^$]+)\$([^$]*)\$([^$]+)\$([^$]+)$/;

function firebaseDigest(fields: { hash: string; salt: string; signerKey: string; saltSeparator: string; rounds: string; memCost: string }): ParsedDigest {
  const rounds = positiveInteger(fields.rounds, "rounds", 8);
  const memCost = positiveInteger(fields.memCost, "mem_cost", 14);
  // Firebase's scrypt is N = 2^mem_cost, r = rounds, p = 1.
  scryptParams(2 ** memCost, rounds, 1);
  const signerKey = decodeBase64(fields.signerKey, "signer key");
  if (signerKey.length === 0) invalid("the signer key is empty");
  return {
    scheme: "scrypt_firebase",
    rounds,
    memCost,
    salt: decodeBase64(fields.salt, "salt"),
    saltSeparator: decodeBase64(fields.saltSeparator, "salt separator"),
    signerKey,
    hash: nonEmptyHash(decodeBase64(fields.hash, "hash")),
  };
}

function parseFirebase(digest: string): ParsedDigest {
  const stored = FIREBASE_STORED.exec(digest);
  if (stored) {
    return firebaseDigest({ rounds: stored[1]!, memCost: stored[2]!, salt: stored[3]!, saltSeparator: stored[4]!, signerKey: stored[5]!, hash: stored[6]! });
  }
  const match = FIREBASE_CLERK.exec(digest);
  if (!match) invalid("expected <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<mem cost> (base64 values from Firebase's export and its project's hash parameters)");
  return firebaseDigest({ hash: match[1]!, salt: match[2]!, signerKey: match[3]!, saltSeparator: match[4]!, rounds: match[5]!, memCost: match[6]! });
}

const PARSERS: Record<PasswordHasher, (digest: string) => ParsedDigest> = {
  bcrypt: parseBcrypt,
  argon2i: (digest) => parseArgon2(digest, "argon2i"),
  argon2id: (digest) => parseArgon2(digest, "argon2id"),
  scrypt: parseScryptPhc,
  scrypt_werkzeug: parseScryptWerkzeug,
  pbkdf2_sha256: parsePbkdf2,
  pbkdf2_sha256_django: parsePbkdf2Django,
  scrypt_firebase: parseFirebase,
};

/** The stored, self-describing form (see the table above); parseStored reads it back. */
function formatStored(parsed: ParsedDigest): string {
  switch (parsed.scheme) {
    case "bcrypt":
    case "argon2":
      return parsed.digest;
    case "scrypt":
      return `$scrypt$ln=${Math.log2(parsed.N)},r=${parsed.r},p=${parsed.p}$${unpadded(parsed.salt)}$${unpadded(parsed.hash)}`;
    case "scrypt_werkzeug":
      return `scrypt:${parsed.N}:${parsed.r}:${parsed.p}$${parsed.salt}$${parsed.hash.toString("hex")}`;
    case "pbkdf2_sha256":
      return `$pbkdf2-sha256$i=${parsed.iterations}$${unpadded(parsed.salt)}$${unpadded(parsed.hash)}`;
    case "pbkdf2_sha256_django":
      return `pbkdf2_sha256$${parsed.iterations}$${parsed.salt}$${parsed.hash.toString("base64")}`;
    case "scrypt_firebase":
      return `$firebase-scrypt$rounds=${parsed.rounds},mem_cost=${parsed.memCost}$${parsed.salt.toString("base64")}$${parsed.saltSeparator.toString("base64")}$${parsed.signerKey.toString("base64")}$${parsed.hash.toString("base64")}`;
  }
}

/** Which parser reads a stored hash, by its prefix; null for a string none of them wrote. */
function storedParser(stored: string): ((digest: string) => ParsedDigest) | null {
  if (stored.startsWith("$2")) return parseBcrypt;
  if (stored.startsWith("$argon2id$")) return PARSERS.argon2id;
  if (stored.startsWith("$argon2i$")) return PARSERS.argon2i;
  if (stored.startsWith("$scrypt$")) return parseScryptPhc;
  if (stored.startsWith("scrypt:")) return parseScryptWerkzeug;
  if (stored.startsWith("$pbkdf2-sha256$")) return parsePbkdf2;
  if (stored.startsWith("pbkdf2_sha256$")) return parsePbkdf2Django;
  if (stored.startsWith("$firebase-scrypt$")) return parseFirebase;
  return null;
}

/**
 * Checks an exported digest against its hasher's format and returns what to
 * store in `User.passwordHash` (with `passwordCost` null, so the first
 * successful sign-in rehashes it to our bcrypt). A digest that does not fit
 * is a 400 naming `password_digest` (or the given field).
 */
export function importPasswordDigest(hasher: PasswordHasher, digest: string, field = "password_digest"): string {
  try {
    return formatStored(PARSERS[hasher](digest.trim()));
  } catch (error) {
    if (!(error instanceof DigestFormatError)) throw error;
    const message = `Not a ${hasher} digest: ${error.message}.`;
    throw new AppError("validation_failed", message, { fields: { [field]: [message] } });
  }
}

/** True for a stored hash that came from an import and is not our bcrypt (see verifyImportedDigest). */
export function isImportedDigest(stored: string): boolean {
  return !stored.startsWith("$2");
}

function equalBytes(computed: Buffer, expected: Buffer): boolean {
  return computed.length === expected.length && crypto.timingSafeEqual(computed, expected);
}

function scrypt(password: string | Buffer, salt: string | Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  // maxmem: node refuses anything above 32 MiB by default; the parameters were bounded when parsed.
  return scryptAsync(password, salt, keylen, { ...params, maxmem: scryptMemory(params) + 1024 * 1024 });
}

/**
 * Firebase's modified scrypt, as documented at https://github.com/firebase/scrypt
 * (and its Node port in the issue linked there): derive 64 bytes with scrypt
 * (password, salt + salt separator, N = 2^mem_cost, r = rounds, p = 1), then
 * AES-256-CTR encrypt the project's signer key with the derived key's first 32
 * bytes and an all-zero IV; the ciphertext is the stored hash. node:crypto's
 * scrypt and AES do both steps.
 */
export async function firebaseScryptHash(
  password: string,
  input: { salt: Buffer; saltSeparator: Buffer; signerKey: Buffer; rounds: number; memCost: number },
): Promise<Buffer> {
  const derived = await scrypt(password, Buffer.concat([input.salt, input.saltSeparator]), 64, { N: 2 ** input.memCost, r: input.rounds, p: 1 });
  const cipher = crypto.createCipheriv("aes-256-ctr", derived.subarray(0, 32), Buffer.alloc(16, 0));
  return Buffer.concat([cipher.update(input.signerKey), cipher.final()]);
}

async function matches(password: string, parsed: ParsedDigest): Promise<boolean> {
  switch (parsed.scheme) {
    case "bcrypt":
      throw new Error("bcrypt digests are verified by the bcrypt worker pool");
    case "argon2":
      return verifyArgon2(parsed.digest, password);
    case "scrypt":
      return equalBytes(await scrypt(password, parsed.salt, parsed.hash.length, parsed), parsed.hash);
    case "scrypt_werkzeug":
      return equalBytes(await scrypt(password, parsed.salt, parsed.hash.length, parsed), parsed.hash);
    case "pbkdf2_sha256":
      return equalBytes(await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, "sha256"), parsed.hash);
    case "pbkdf2_sha256_django":
      return equalBytes(await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, "sha256"), parsed.hash);
    case "scrypt_firebase":
      return equalBytes(await firebaseScryptHash(password, parsed), parsed.hash);
  }
}

/**
 * Verifies a password against an imported (non-bcrypt) stored hash. A stored
 * string no parser recognises, or one that fails to verify for any reason,
 * is simply no match.
 */
export async function verifyImportedDigest(password: string, stored: string): Promise<boolean> {
  const parse = storedParser(stored);
  if (!parse || parse === parseBcrypt) return false;
  try {
    return await matches(password, parse(stored));
  } catch {
    return false;
  }
}
