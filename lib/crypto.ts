import "server-only";
import crypto from "node:crypto";
import { getConfig } from "@/lib/config";

/** SHA-256 hex digest: how every token, code and key is stored (never in clear). */
export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** Random URL-safe token; 32 bytes = 256 bits by default. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/** Constant-time string comparison for codes and hashes. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/**
 * Purposes for AUTH_SECRET-derived keys. Each purpose gets its own key (HKDF),
 * so a key leaked for one use cannot decrypt another's data.
 */
export type SecretPurpose = "signing-key" | "totp-secret" | "oauth-client-secret" | "oauth-flow" | "oauth-form-post-user" | "webhook-secret" | "jwt-template-secret";

/**
 * The secrets keys are derived from: AUTH_SECRET, then AUTH_SECRET_PREVIOUS while a
 * rotation is under way (docs/security.md). New data is sealed, hashed and signed under
 * the first only; reads accept either, so nothing breaks between deploying a new secret
 * and `npm run admin -- reseal-secrets`.
 */
function authSecrets(): string[] {
  const config = getConfig();
  return config.AUTH_SECRET_PREVIOUS ? [config.AUTH_SECRET, config.AUTH_SECRET_PREVIOUS] : [config.AUTH_SECRET];
}

/** Whether AUTH_SECRET_PREVIOUS is set (a rotation is under way). */
export function hasPreviousAuthSecret(): boolean {
  return authSecrets().length > 1;
}

const derivedKeyCache = new Map<string, Buffer>();

/**
 * The 32-byte key for `info` (HKDF-SHA256, salt "auth-portal") under each secret, the
 * current one first. Cached: HKDF on every request would cost more than the HMAC it keys.
 */
export function derivedKeys(info: string): Buffer[] {
  return authSecrets().map((secret) => {
    const cacheKey = `${info}\u0000${secret}`;
    let key = derivedKeyCache.get(cacheKey);
    if (!key) {
      key = Buffer.from(crypto.hkdfSync("sha256", secret, "auth-portal", info, 32));
      derivedKeyCache.set(cacheKey, key);
    }
    return key;
  });
}

function keyedHashUnder(key: Buffer, value: string): string {
  return crypto.createHmac("sha256", key).update(value).digest("hex");
}

/**
 * HMAC-SHA256 under a key derived from AUTH_SECRET for `purpose`: how short
 * secrets with little entropy (backup codes) are stored. A plain hash of a
 * 40-bit code would be reversed at once from a leaked table; without the key,
 * it cannot be.
 */
export function keyedHash(purpose: "backup-code", value: string): string {
  return keyedHashUnder(derivedKeys(`mac:${purpose}`)[0]!, value);
}

/** `keyedHash` under each configured secret, current first: what a stored hash may equal during a rotation. */
export function keyedHashCandidates(purpose: "backup-code", value: string): string[] {
  return derivedKeys(`mac:${purpose}`).map((key) => keyedHashUnder(key, value));
}

/**
 * An AUTH_SECRET-derived secret (hex) for libraries that take their HMAC key as
 * a string (the bot-protection challenges, altcha-lib): its own key per purpose.
 * Current secret only: a challenge lives for minutes, so one issued under the
 * previous secret is simply asked again.
 */
export function derivedSecret(purpose: "bot-challenge" | "bot-challenge-key"): string {
  return derivedKeys(`secret:${purpose}`)[0]!.toString("hex");
}

/** AES-256-GCM; output is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(plaintext: string, purpose: SecretPurpose): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", derivedKeys(`encryption:${purpose}`)[0]!, iv);
  cipher.setAAD(Buffer.from(purpose));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

function openSealed(sealed: string, purpose: SecretPurpose, key: Buffer): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("Unrecognised encrypted secret format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

/** Opens what `encryptSecret` sealed, under AUTH_SECRET or else AUTH_SECRET_PREVIOUS; throws when neither opens it. */
export function decryptSecret(sealed: string, purpose: SecretPurpose): string {
  return unseal(sealed, purpose).plaintext;
}

function unseal(sealed: string, purpose: SecretPurpose): { plaintext: string; underCurrent: boolean } {
  const keys = derivedKeys(`encryption:${purpose}`);
  let firstError: unknown;
  for (const [index, key] of keys.entries()) {
    try {
      return { plaintext: openSealed(sealed, purpose, key), underCurrent: index === 0 };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

/**
 * For the reseal command: the same secret sealed under the current AUTH_SECRET, or null when
 * it already is. Throws when neither secret opens it.
 */
export function resealSecret(sealed: string, purpose: SecretPurpose): string | null {
  const { plaintext, underCurrent } = unseal(sealed, purpose);
  return underCurrent ? null : encryptSecret(plaintext, purpose);
}
