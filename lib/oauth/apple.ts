import "server-only";
import { createHash } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";
import type { AppleSigningKey } from "./providers";

/**
 * Sign in with Apple's client secret: not a stored string but an ES256 JWT
 * signed with the team's private key (the .p8 file from the Apple developer
 * account), naming the team (`iss`), the Services ID (`sub`) and Apple as
 * audience. Apple accepts one for up to six months; ours live an hour and are
 * reused until ten minutes before expiry, so a token request rarely signs.
 */
const CLIENT_SECRET_TTL_S = 60 * 60;
const RENEW_BEFORE_S = 10 * 60;

const minted = new Map<string, { jwt: string; expiresAt: number }>();

export async function appleClientSecret(key: AppleSigningKey, input: { clientId: string; audience: string; now?: number }): Promise<string> {
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  // The key's hash, not the key, names the cache entry: a rotated key mints anew.
  const cacheKey = [key.teamId, key.keyId, input.clientId, input.audience, createHash("sha256").update(key.privateKey).digest("base64url")].join("|");
  const hit = minted.get(cacheKey);
  if (hit && hit.expiresAt - RENEW_BEFORE_S > now) return hit.jwt;
  const privateKey = await importPKCS8(key.privateKey, "ES256");
  const expiresAt = now + CLIENT_SECRET_TTL_S;
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: key.keyId })
    .setIssuer(key.teamId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(privateKey);
  minted.set(cacheKey, { jwt, expiresAt });
  return jwt;
}

/** For tests: mint the next client secret afresh. */
export function forgetAppleClientSecrets(): void {
  minted.clear();
}

/** True when `pem` is a PKCS#8 P-256 private key (what Apple's .p8 download holds). */
export async function isApplePrivateKey(pem: string): Promise<boolean> {
  try {
    await importPKCS8(pem, "ES256");
    return true;
  } catch {
    return false;
  }
}

const appleUser = z.object({
  name: z.object({ firstName: z.string().max(200).nullish(), lastName: z.string().max(200).nullish() }).nullish(),
});

/**
 * The `user` field of Apple's form post: JSON with the person's name, sent on
 * their first authorization only (the ID token never carries a name). Its
 * email is ignored: the signed ID token's is the one that counts. Anything
 * unreadable is no name, not an error.
 */
export function appleUserName(userField: string | null | undefined): { firstName: string | null; lastName: string | null } {
  if (!userField) return { firstName: null, lastName: null };
  try {
    const parsed = appleUser.safeParse(JSON.parse(userField));
    const name = parsed.success ? parsed.data.name : null;
    const clean = (value: string | null | undefined) => value?.trim().slice(0, 200) || null;
    return { firstName: clean(name?.firstName), lastName: clean(name?.lastName) };
  } catch {
    return { firstName: null, lastName: null };
  }
}
