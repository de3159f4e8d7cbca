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

const macKeys = new Map<string, Buffer>();

/**
 * HMAC-SHA256 under a key derived from AUTH_SECRET for `purpose`: how short
 * secrets with little entropy (backup codes) are stored. A plain hash of a
 * 40-bit code would be reversed at once from a leaked table; without the key,
 * it cannot be.
 */
export function keyedHash(purpose: "backup-code", value: string): string {
  const secret = getConfig().AUTH_SECRET;
  const cacheKey = `${purpose}:${sha256(secret)}`;
  let key = macKeys.get(cacheKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", secret, "auth-portal", `mac:${purpose}`, 32));
    macKeys.set(cacheKey, key);
  }
  return crypto.createHmac("sha256", key).update(value).digest("hex");
}

/**
 * An AUTH_SECRET-derived secret (hex) for libraries that take their HMAC key as
 * a string (the bot-protection challenges, altcha-lib): its own key per purpose.
 */
export function derivedSecret(purpose: "bot-challenge" | "bot-challenge-key"): string {
  const secret = getConfig().AUTH_SECRET;
  return Buffer.from(crypto.hkdfSync("sha256", secret, "auth-portal", `secret:${purpose}`, 32)).toString("hex");
}

const keyCache = new Map<string, Buffer>();

function derivedKey(purpose: SecretPurpose): Buffer {
  const secret = getConfig().AUTH_SECRET;
  const cacheKey = `${purpose}:${sha256(secret)}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", secret, "auth-portal", `encryption:${purpose}`, 32));
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** AES-256-GCM; output is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(plaintext: string, purpose: SecretPurpose): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", derivedKey(purpose), iv);
  cipher.setAAD(Buffer.from(purpose));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(sealed: string, purpose: SecretPurpose): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("Unrecognised encrypted secret format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", derivedKey(purpose), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
