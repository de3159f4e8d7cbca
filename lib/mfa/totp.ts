import "server-only";
import { generate, generateSecret, generateURI, verify } from "otplib";

/**
 * TOTP (RFC 6238) through otplib: SHA-1, 6 digits, 30-second steps, the
 * defaults every authenticator app shares. A code is accepted for the
 * current step and one step either side (clock drift), and never for a step
 * at or before the last one accepted (no replay, S6).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** ±1 step of clock drift between the phone and the server. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

/** A new shared secret: 160 random bits in Base32, what authenticator apps expect. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app scans (as a QR code) or opens. */
export function totpUri(input: { secret: string; issuer: string; accountName: string }): string {
  return generateURI({ issuer: input.issuer, label: input.accountName, secret: input.secret });
}

/**
 * The time step `code` proves, or null. `afterStep`: the last step accepted
 * for this secret; that step and earlier ones are refused (replay).
 */
export async function checkTotp(
  secret: string,
  code: string,
  options: { afterStep?: number | null; now?: Date } = {},
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor((options.now ?? new Date()).getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(options.afterStep !== null && options.afterStep !== undefined ? { afterTimeStep: options.afterStep } : {}),
  });
  // The functional API types its result as TOTP-or-HOTP; a TOTP result carries the step.
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/** The code for a moment (tests, and the e2e helper that plays the authenticator app). */
export function totpCodeAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}
