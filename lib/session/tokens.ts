import "server-only";
import { SignJWT } from "jose";
import { SESSION_TOKEN_VERSION } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { getActiveSigningKey } from "./keys";

/** Clock-skew allowance: nbf is set this far before iat (S2). */
export const CLOCK_SKEW_SECONDS = 10;

export type SessionTokenSubject = {
  userId: string;
  sessionId: string;
  role: "user" | "admin";
  /** Whether the user's primary email address is verified (S4: reflected in the next token). */
  emailVerified: boolean;
  actorId?: string | null;
};

/** Mints the short-lived ES256 session JWT carried in `__session` (S2). */
export async function mintSessionToken(
  subject: SessionTokenSubject,
  context: { issuer: string; authorizedParty: string; now?: Date },
): Promise<{ token: string; expiresAt: number }> {
  const key = await getActiveSigningKey();
  const iat = Math.floor((context.now ?? new Date()).getTime() / 1000);
  const exp = iat + getConfig().AUTH_SESSION_TOKEN_TTL_SECONDS;
  const claims: Record<string, unknown> = {
    sid: subject.sessionId,
    azp: context.authorizedParty,
    role: subject.role,
    email_verified: subject.emailVerified,
    v: SESSION_TOKEN_VERSION,
  };
  if (subject.actorId) claims.act = { sub: subject.actorId };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" })
    .setIssuer(context.issuer)
    .setSubject(subject.userId)
    .setIssuedAt(iat)
    .setNotBefore(iat - CLOCK_SKEW_SECONDS)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresAt: exp };
}
