import "server-only";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { getInstanceSettings } from "@/lib/settings";

/**
 * The WebAuthn ceremonies shared by passkeys (first factor, S7) and security
 * keys (second factor only, lib/mfa/security-keys.ts). @simplewebauthn/server
 * does the WebAuthn work (CBOR, COSE, signatures); this module keeps the
 * state: challenges that are single use and live 5 minutes, stored
 * server-side, each bound to its owner (a user, a sign-in attempt). The
 * relying party is the instance itself: rp id = the host of the instance
 * origin (AUTH_URL, or the request's origin in dev), expected origin = that
 * origin exactly. Kept free of lib/mfa imports: lib/mfa uses it.
 */

export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
export const RP_NAME = () => process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";

/** Where the request was made: the instance origin (`RequestContext.issuer`). */
export type PasskeyContext = { ip: string | null; userAgent: string | null; issuer: string; now?: Date };

/**
 * The relying party: rp id = the instance host, or the parent domain set in
 * `passkeyRpId` when the host is under it (a browser refuses any other);
 * the origin is always the instance's own.
 */
export function relyingParty(issuer: string, parentDomain: string | null = null): { rpID: string; origin: string } {
  const url = new URL(issuer);
  const host = url.hostname;
  const rpID = parentDomain && (host === parentDomain || host.endsWith(`.${parentDomain}`)) ? parentDomain : host;
  return { rpID, origin: url.origin };
}

async function relyingPartyFor(issuer: string) {
  return relyingParty(issuer, (await getInstanceSettings()).passkeyRpId);
}

// --- challenges -----------------------------------------------------------------------

/**
 * Who may answer a challenge. Passkeys: registration for a signed-in user, sign-in for a
 * sign-in attempt, registration for a passkey sign-up's attempt (S13). Security keys:
 * registration for a signed-in user, the second factor of a sign-in attempt, step-up of a user.
 * The purpose is part of the binding: a challenge of one ceremony never serves another.
 */
export type ChallengeOwner =
  | { purpose: "registration" | "security_key_registration" | "step_up"; userId: string }
  | { purpose: "authentication" | "sign_up" | "second_factor"; attemptId: string };

export async function storeChallenge(challenge: string, owner: ChallengeOwner, now: Date): Promise<void> {
  // Old challenges are worthless: swept here, so the table stays small without a job.
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.passkeyChallenge.create({
    data: {
      id: newId("passkeyChallenge"),
      challenge,
      purpose: owner.purpose,
      userId: "userId" in owner ? owner.userId : null,
      attemptId: "attemptId" in owner ? owner.attemptId : null,
      expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS),
      createdAt: now,
    },
  });
}

/** The challenge the browser signed, as it reported it (checked again by the library against ours). */
function challengeOf(clientDataJSON: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    if (typeof parsed.challenge === "string" && parsed.challenge.length > 0 && parsed.challenge.length <= 256) return parsed.challenge;
  } catch {
    // falls through
  }
  throw new AppError("validation_failed", "This passkey response is not valid.");
}

/**
 * Takes the challenge out of the store (one DELETE, so of two concurrent
 * uses exactly one gets it) before anything is verified: a response is
 * checked against a challenge at most once, right or wrong.
 */
export async function consumeChallenge(clientDataJSON: string, owner: ChallengeOwner, now: Date): Promise<string> {
  const challenge = challengeOf(clientDataJSON);
  const row = await db.passkeyChallenge.findUnique({ where: { challenge } });
  const owned =
    row &&
    row.purpose === owner.purpose &&
    ("userId" in owner ? row.userId === owner.userId : row.attemptId === owner.attemptId);
  const used = () => new AppError("verification_used", "This passkey request was already used. Try again.");
  if (!row || !owned) throw used();
  const { count } = await db.passkeyChallenge.deleteMany({ where: { id: row.id } });
  if (count !== 1) throw used();
  if (row.expiresAt <= now) throw new AppError("verification_expired", "This passkey request has expired. Try again.");
  return row.challenge;
}

export const refused = () => new AppError("invalid_credentials", "This passkey could not be verified.");

// --- registration ---------------------------------------------------------------------

/** A stored credential as the ceremonies need it (`excludeCredentials`, `allowCredentials`). */
export type CredentialDescriptor = { credentialId: string; transports: string[] };

/**
 * Options for `startRegistration`. Passkeys are discoverable and user-verified
 * (they are both factors); security keys are neither required to be (a second
 * factor only: any FIDO key, no PIN asked).
 */
export async function registrationOptions(
  user: { id: string; name: string; displayName: string; existing: CredentialDescriptor[] },
  selection: { residentKey: "required" | "discouraged"; userVerification: "required" | "discouraged" },
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { rpID } = await relyingPartyFor(context.issuer);
  return generateRegistrationOptions({
    rpName: RP_NAME(),
    rpID,
    userName: user.name,
    userDisplayName: user.displayName,
    // The user handle the authenticator returns at sign-in: our user id.
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: user.existing.map((credential) => ({ id: credential.credentialId, transports: credential.transports as never })),
    // No authenticatorAttachment: platform authenticators and roaming keys alike.
    authenticatorSelection: selection,
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
}

/** A registration response checked against its challenge and this relying party; nothing stored yet. */
export type NewPasskeyCredential = {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
};

export async function verifyRegistration(
  response: RegistrationResponseJSON,
  expectedChallenge: string,
  context: PasskeyContext,
  options: { requireUserVerification: boolean } = { requireUserVerification: true },
): Promise<NewPasskeyCredential> {
  const { rpID, origin } = await relyingPartyFor(context.issuer);
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: options.requireUserVerification,
    });
  } catch {
    throw refused();
  }
  if (!verification.verified) throw refused();
  const { credential, credentialDeviceType, credentialBackedUp, aaguid } = verification.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    aaguid,
  };
}

// --- authentication -------------------------------------------------------------------

/**
 * Options for `startAuthentication`, stored under `owner`. No `allowCredentials`: discoverable
 * (the authenticator names the account); with them: only those credentials may answer.
 */
export async function authenticationOptions(
  input: { allowCredentials?: CredentialDescriptor[]; userVerification: "required" | "discouraged" },
  owner: ChallengeOwner,
  context: PasskeyContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = context.now ?? new Date();
  const options = await generateAuthenticationOptions({
    rpID: (await relyingPartyFor(context.issuer)).rpID,
    userVerification: input.userVerification,
    ...(input.allowCredentials
      ? { allowCredentials: input.allowCredentials.map((credential) => ({ id: credential.credentialId, transports: credential.transports as never })) }
      : {}),
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  await storeChallenge(options.challenge, owner, now);
  return options;
}

export type CheckedAssertion = {
  newCounter: number;
  userVerified: boolean;
  backedUp: boolean;
  /** A counter that did not grow: a cloned authenticator. The caller audits it and refuses. */
  counterRegressed: boolean;
};

/** An assertion's signature, origin and rp id checked against a stored credential; throws `refused()` when wrong. */
export async function checkAssertion(
  input: {
    response: AuthenticationResponseJSON;
    expectedChallenge: string;
    credential: { credentialId: string; publicKey: Uint8Array; counter: bigint; transports: string[] };
    requireUserVerification: boolean;
  },
  context: PasskeyContext,
): Promise<CheckedAssertion> {
  const { rpID, origin } = await relyingPartyFor(context.issuer);
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      // Counter 0 here: the counter check is ours below, so a regression is audited, not just refused.
      credential: {
        id: input.credential.credentialId,
        publicKey: new Uint8Array(input.credential.publicKey),
        counter: 0,
        transports: input.credential.transports as never,
      },
      requireUserVerification: input.requireUserVerification,
    });
  } catch {
    throw refused();
  }
  if (!verification.verified) throw refused();
  const { newCounter, userVerified, credentialBackedUp } = verification.authenticationInfo;
  const stored = Number(input.credential.counter);
  // 0 and 0: an authenticator without a counter (synced passkeys). Otherwise it must grow.
  const counterRegressed = (newCounter > 0 || stored > 0) && newCounter <= stored;
  return { newCounter, userVerified, backedUp: credentialBackedUp, counterRegressed };
}
