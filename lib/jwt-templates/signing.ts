import "server-only";
import crypto from "node:crypto";
import { importPKCS8 } from "jose";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import type { SigningKind } from "./presets";

/**
 * How a template signs (S9): the instance key (ES256, in the JWKS), a custom
 * HS256 secret (a Supabase project's JWT secret), a custom RS256 private key,
 * or a Firebase service account (RS256, Firebase's custom-token shape). Custom
 * secrets are stored encrypted under an AUTH_SECRET-derived key and never
 * leave the server again.
 */
export type SigningInput =
  | { kind: "instance" }
  | { kind: "hs256"; secret?: string }
  | { kind: "rs256"; privateKey?: string; keyId?: string | null }
  | { kind: "firebase"; serviceAccount?: string };

export type Algorithm = "ES256" | "HS256" | "RS256";

export type StoredSigning = {
  algorithm: Algorithm;
  secretEncrypted: string | null;
  keyId: string | null;
  serviceAccountEmail: string | null;
};

const PURPOSE = "jwt-template-secret";
export const MIN_HS256_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;

export function signingKindOf(row: { algorithm: string; serviceAccountEmail: string | null }): SigningKind {
  if (row.algorithm === "HS256") return "hs256";
  if (row.algorithm === "RS256") return row.serviceAccountEmail ? "firebase" : "rs256";
  return "instance";
}

/** Whether the input carries new key material (the admin route then asks for a recent verification). */
export function carriesSecret(input: SigningInput): boolean {
  return (
    (input.kind === "hs256" && Boolean(input.secret)) ||
    (input.kind === "rs256" && Boolean(input.privateKey)) ||
    (input.kind === "firebase" && Boolean(input.serviceAccount))
  );
}

function invalid(field: string, message: string): AppError {
  return new AppError("validation_failed", message, { fields: { [`signing.${field}`]: [message] } });
}

/** An RSA private key of at least 2048 bits, as PKCS#8 PEM; `field` names the input in errors. */
function rsaPrivateKeyPem(pem: string, field: string): string {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw invalid(field, "This is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- ...).");
  }
  if (key.asymmetricKeyType !== "rsa") throw invalid(field, "RS256 needs an RSA private key.");
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw invalid(field, `The RSA key must be at least ${MIN_RSA_BITS} bits.`);
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

const serviceAccountSchema = z.object({
  type: z.literal("service_account").optional(),
  private_key: z.string().min(1),
  private_key_id: z.string().min(1).max(200),
  client_email: z.email(),
});

function parseServiceAccount(text: string): { privateKeyPem: string; keyId: string; email: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("serviceAccount", "Paste the service account's JSON key file as it was downloaded.");
  }
  const parsed = serviceAccountSchema.safeParse(value);
  if (!parsed.success) {
    throw invalid("serviceAccount", "The JSON needs the service account's private_key, private_key_id and client_email.");
  }
  return {
    privateKeyPem: rsaPrivateKeyPem(parsed.data.private_key, "serviceAccount"),
    keyId: parsed.data.private_key_id,
    email: parsed.data.client_email,
  };
}

/**
 * The signing columns for a save: new key material is validated and
 * encrypted; left out, the stored material stays (same kind only).
 */
export function prepareSigning(input: SigningInput, existing: StoredSigning | null): StoredSigning {
  const sameKind = existing !== null && signingKindOf(existing) === input.kind;
  switch (input.kind) {
    case "instance":
      return { algorithm: "ES256", secretEncrypted: null, keyId: null, serviceAccountEmail: null };
    case "hs256": {
      if (!input.secret) {
        if (sameKind) return existing;
        throw invalid("secret", "Enter the HS256 secret.");
      }
      if (Buffer.byteLength(input.secret, "utf8") < MIN_HS256_SECRET_BYTES) {
        throw invalid("secret", `The secret must be at least ${MIN_HS256_SECRET_BYTES} bytes.`);
      }
      return { algorithm: "HS256", secretEncrypted: encryptSecret(input.secret, PURPOSE), keyId: null, serviceAccountEmail: null };
    }
    case "rs256": {
      const keyId = input.keyId?.trim() || null;
      if (!input.privateKey) {
        if (sameKind) return { ...existing, keyId };
        throw invalid("privateKey", "Paste the RS256 private key (PEM).");
      }
      const pem = rsaPrivateKeyPem(input.privateKey, "privateKey");
      return { algorithm: "RS256", secretEncrypted: encryptSecret(pem, PURPOSE), keyId, serviceAccountEmail: null };
    }
    case "firebase": {
      if (!input.serviceAccount) {
        if (sameKind) return existing;
        throw invalid("serviceAccount", "Paste the Firebase service account's JSON key.");
      }
      const account = parseServiceAccount(input.serviceAccount);
      return { algorithm: "RS256", secretEncrypted: encryptSecret(account.privateKeyPem, PURPOSE), keyId: account.keyId, serviceAccountEmail: account.email };
    }
  }
}

/** A custom key, decrypted and imported once per template version (id + updatedAt) in this process. */
const customKeys = new Map<string, { version: number; key: Promise<CryptoKey> }>();

export function customSigningKey(template: { id: string; algorithm: string; secretEncrypted: string | null; updatedAt: Date }): Promise<CryptoKey> {
  const version = template.updatedAt.getTime();
  const cached = customKeys.get(template.id);
  if (cached && cached.version === version) return cached.key;
  if (!template.secretEncrypted) throw new Error(`JWT template ${template.id} has no key`);
  const plain = decryptSecret(template.secretEncrypted, PURPOSE);
  const key =
    template.algorithm === "HS256"
      ? crypto.webcrypto.subtle.importKey("raw", Buffer.from(plain, "utf8"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      : importPKCS8(plain, "RS256");
  customKeys.set(template.id, { version, key: key as Promise<CryptoKey> });
  // A failed import must not stay cached.
  key.catch(() => customKeys.delete(template.id));
  return key as Promise<CryptoKey>;
}

export function forgetCustomSigningKey(templateId: string): void {
  customKeys.delete(templateId);
}
