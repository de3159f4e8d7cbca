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
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { requireRecentVerification, type Verifier } from "@/lib/mfa";
import { getInstanceSettings } from "@/lib/settings";
import { getUserProfile } from "@/lib/users";
import { authenticatorName } from "./authenticators";
import type { PasskeySummary } from "./types";

export type { PasskeySummary };

/**
 * Passkeys (WebAuthn, S7). @simplewebauthn/server does all the WebAuthn work
 * (CBOR, COSE, signatures); this module keeps the state: challenges that are
 * single use and live 5 minutes, stored server-side, and the credentials
 * (public keys only). The relying party is the instance itself: rp id = the
 * host of the instance origin (AUTH_URL, or the request's origin in dev),
 * expected origin = that origin exactly.
 */

export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
const RP_NAME = () => process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";
const NAME_MAX = 64;

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

const summary = (row: {
  id: string;
  name: string;
  aaguid: string | null;
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}): PasskeySummary => ({
  id: row.id,
  name: row.name,
  authenticator: authenticatorName(row.aaguid),
  deviceType: row.deviceType,
  backedUp: row.backedUp,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

// --- challenges -----------------------------------------------------------------------

/** Registration for a signed-in user; sign-in for a sign-in attempt; registration for a passkey sign-up's attempt (S13). */
type ChallengeOwner =
  | { purpose: "registration"; userId: string }
  | { purpose: "authentication"; attemptId: string }
  | { purpose: "sign_up"; attemptId: string };

async function storeChallenge(challenge: string, owner: ChallengeOwner, now: Date): Promise<void> {
  // Old challenges are worthless: swept here, so the table stays small without a job.
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.passkeyChallenge.create({
    data: {
      id: newId("passkeyChallenge"),
      challenge,
      purpose: owner.purpose,
      userId: owner.purpose === "registration" ? owner.userId : null,
      attemptId: owner.purpose === "registration" ? null : owner.attemptId,
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
async function consumeChallenge(clientDataJSON: string, owner: ChallengeOwner, now: Date): Promise<string> {
  const challenge = challengeOf(clientDataJSON);
  const row = await db.passkeyChallenge.findUnique({ where: { challenge } });
  const owned =
    row &&
    row.purpose === owner.purpose &&
    (owner.purpose === "registration" ? row.userId === owner.userId : row.attemptId === owner.attemptId);
  const used = () => new AppError("verification_used", "This passkey request was already used. Try again.");
  if (!row || !owned) throw used();
  const { count } = await db.passkeyChallenge.deleteMany({ where: { id: row.id } });
  if (count !== 1) throw used();
  if (row.expiresAt <= now) throw new AppError("verification_expired", "This passkey request has expired. Try again.");
  return row.challenge;
}

const refused = () => new AppError("invalid_credentials", "This passkey could not be verified.");

// --- registration ---------------------------------------------------------------------

/** Options for `startRegistration` of a new passkey for `user` (whose id is the user handle). */
async function registrationOptions(
  user: { id: string; name: string; displayName: string; existing: { credentialId: string; transports: string[] }[] },
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
    excludeCredentials: user.existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    // Discoverable (sign in without typing an address) and user-verified (it counts as two factors).
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
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

async function verifyRegistration(response: RegistrationResponseJSON, expectedChallenge: string, context: PasskeyContext): Promise<NewPasskeyCredential> {
  const { rpID, origin } = await relyingPartyFor(context.issuer);
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
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

/** Stores a verified credential (public key only) for `userId`, audited `passkey.added`, in the caller's transaction. */
export async function storePasskey(
  tx: Tx,
  input: { userId: string; credential: NewPasskeyCredential; name?: string | null },
  context: PasskeyContext,
): Promise<PasskeySummary> {
  const now = context.now ?? new Date();
  const { credential } = input;
  const name = input.name?.trim().slice(0, NAME_MAX) || authenticatorName(credential.aaguid) || defaultName(credential.backedUp);
  const taken = await tx.passkey.findUnique({ where: { credentialId: credential.credentialId }, select: { id: true } });
  if (taken) throw new AppError("conflict", "This passkey is already registered.");
  const row = await tx.passkey.create({
    data: {
      id: newId("passkey"),
      userId: input.userId,
      credentialId: credential.credentialId,
      publicKey: Buffer.from(credential.publicKey),
      counter: BigInt(credential.counter),
      transports: credential.transports,
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      name,
      aaguid: credential.aaguid === "00000000-0000-0000-0000-000000000000" ? null : credential.aaguid,
      createdAt: now,
    },
  });
  await recordAuditEvent(
    { type: "passkey.added", actorId: input.userId, targetId: input.userId, ip: context.ip, userAgent: context.userAgent, data: { passkeyId: row.id, name } },
    tx,
  );
  return summary(row);
}

/** Step 1 of adding a passkey: options for `startRegistration`. Needs a recent verification. */
export async function startPasskeyRegistration(
  verifier: Verifier,
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  if (!(await getInstanceSettings()).passkeySignIn) throw new AppError("forbidden", "Passkeys are turned off here.");
  await requireRecentVerification(verifier, now);
  const user = await getUserProfile(verifier.userId);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const existing = await db.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const options = await registrationOptions(
    {
      id: user.id,
      name: user.email ?? user.id,
      displayName: [user.firstName, user.lastName].filter(Boolean).join(" ") || (user.email ?? ""),
      existing,
    },
    context,
  );
  await storeChallenge(options.challenge, { purpose: "registration", userId: user.id }, now);
  return options;
}

/** Step 2: the authenticator's response is verified and the credential stored (public key only). */
export async function finishPasskeyRegistration(
  verifier: Verifier,
  input: { response: RegistrationResponseJSON; name?: string | null },
  context: PasskeyContext,
): Promise<PasskeySummary> {
  const now = context.now ?? new Date();
  await requireRecentVerification(verifier, now);
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "registration", userId: verifier.userId }, now);
  const credential = await verifyRegistration(input.response, expectedChallenge, context);
  return db.$transaction((tx) => storePasskey(tx, { userId: verifier.userId, credential, name: input.name }, { ...context, now }));
}

// --- sign-up with a passkey (S13) -------------------------------------------------------

/**
 * Options for a passkey sign-up's passkey: the account does not exist yet;
 * `userId` is the id it will get (chosen when the email was verified), so
 * the passkey's user handle names it. The challenge belongs to the attempt.
 */
export async function passkeySignUpRegistrationOptions(
  input: { attemptId: string; userId: string; email: string; displayName: string },
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  const options = await registrationOptions(
    { id: input.userId, name: input.email, displayName: input.displayName || input.email, existing: [] },
    context,
  );
  await storeChallenge(options.challenge, { purpose: "sign_up", attemptId: input.attemptId }, now);
  return options;
}

/** A passkey sign-up's registration response, checked against its attempt's challenge (single use) and this relying party. */
export async function verifyPasskeySignUpRegistration(
  input: { attemptId: string; response: RegistrationResponseJSON },
  context: PasskeyContext,
): Promise<NewPasskeyCredential> {
  const now = context.now ?? new Date();
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "sign_up", attemptId: input.attemptId }, now);
  return verifyRegistration(input.response, expectedChallenge, context);
}

const defaultName = (backedUp: boolean) => (backedUp ? "Synced passkey" : "Passkey");

// --- authentication -------------------------------------------------------------------

/** Options for `startAuthentication` (discoverable: no address, no credential list), bound to a sign-in attempt. */
export async function passkeyAuthenticationOptions(
  attemptId: string,
  context: PasskeyContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = context.now ?? new Date();
  const options = await generateAuthenticationOptions({
    rpID: (await relyingPartyFor(context.issuer)).rpID,
    userVerification: "required",
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  await storeChallenge(options.challenge, { purpose: "authentication", attemptId }, now);
  return options;
}

export type VerifiedPasskey = { passkeyId: string; userId: string; userVerified: boolean };

/**
 * Checks a sign-in assertion against the attempt's challenge and the stored
 * credential. The user is the credential's owner, and the authenticator's user
 * handle must name that same user. A counter that does not grow is a cloned
 * authenticator: refused and audited.
 */
export async function verifyPasskeyAssertion(
  input: { attemptId: string; response: AuthenticationResponseJSON },
  context: PasskeyContext,
): Promise<VerifiedPasskey> {
  const now = context.now ?? new Date();
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "authentication", attemptId: input.attemptId }, now);
  const passkey = await db.passkey.findUnique({ where: { credentialId: input.response.id } });
  if (!passkey) throw refused();
  const userHandle = input.response.response.userHandle;
  if (userHandle && Buffer.from(userHandle, "base64url").toString("utf8") !== passkey.userId) throw refused();

  const { rpID, origin } = await relyingPartyFor(context.issuer);
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      // Counter 0 here: the counter check is ours below, so a regression is audited, not just refused.
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: passkey.transports },
      requireUserVerification: true,
    });
  } catch {
    throw refused();
  }
  if (!verification.verified) throw refused();
  const { newCounter, userVerified, credentialBackedUp } = verification.authenticationInfo;
  const stored = Number(passkey.counter);
  // 0 and 0: an authenticator without a counter (synced passkeys). Otherwise it must grow.
  if ((newCounter > 0 || stored > 0) && newCounter <= stored) {
    await recordAuditEvent({
      type: "passkey.counter_regression",
      targetId: passkey.userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { passkeyId: passkey.id, storedCounter: stored, receivedCounter: newCounter },
    });
    throw refused();
  }
  // Conditional on the counter read above: of two concurrent uses of one signature counter, one wins.
  const { count } = await db.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(newCounter), backedUp: credentialBackedUp, lastUsedAt: now },
  });
  if (count !== 1) throw refused();
  return { passkeyId: passkey.id, userId: passkey.userId, userVerified };
}

// --- management -----------------------------------------------------------------------

export async function listPasskeys(userId: string): Promise<PasskeySummary[]> {
  const rows = await db.passkey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return rows.map(summary);
}

export async function renamePasskey(input: { userId: string; passkeyId: string; name: string }): Promise<PasskeySummary> {
  const name = input.name.trim().slice(0, NAME_MAX);
  if (!name) throw new AppError("validation_failed", "Give the passkey a name.", { fields: { name: ["Give the passkey a name."] } });
  const { count } = await db.passkey.updateMany({ where: { id: input.passkeyId, userId: input.userId }, data: { name } });
  if (count !== 1) throw new AppError("not_found", "That passkey does not exist.");
  return summary(await db.passkey.findUniqueOrThrow({ where: { id: input.passkeyId } }));
}

/**
 * Removes a passkey; never the last way to sign in. By the user, or by an
 * admin (`actorId`, S8: e.g. a lost or cloned authenticator), audited either way.
 */
export async function removePasskey(
  input: { userId: string; passkeyId: string },
  context: { ip: string | null; userAgent: string | null; actorId?: string },
): Promise<void> {
  const actorId = context.actorId ?? input.userId;
  const { emailCodeSignIn, emailLinkSignIn, identifiers } = await getInstanceSettings();
  const emailSignIn = emailCodeSignIn || emailLinkSignIn;
  await db.$transaction(async (tx) => {
    const passkey = await tx.passkey.findFirst({ where: { id: input.passkeyId, userId: input.userId } });
    if (!passkey) throw new AppError("not_found", "That passkey does not exist.");
    if (!(await hasOtherWayToSignIn(tx, input.userId, { emailSignIn, phoneSignIn: identifiers.phone, exceptPasskeyId: passkey.id }))) {
      throw new AppError(
        "conflict",
        actorId === input.userId
          ? "This is your only way to sign in. Set a password or add another passkey first."
          : "This passkey is the user's only way to sign in, so it cannot be removed.",
      );
    }
    await tx.passkey.delete({ where: { id: passkey.id } });
    await recordAuditEvent(
      {
        type: "passkey.removed",
        actorId,
        targetId: input.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { passkeyId: passkey.id, name: passkey.name, ...(actorId !== input.userId ? { by: "admin" } : {}) },
      },
      tx,
    );
  });
}

/**
 * A password (with an address or a verified number to type), a verified address (when email
 * sign-in is on), a verified phone number (when phone numbers are on, issue 19), a connected
 * account or another passkey.
 */
export async function hasOtherWayToSignIn(
  tx: Tx,
  userId: string,
  options: { emailSignIn: boolean; phoneSignIn?: boolean; exceptPasskeyId?: string; exceptExternalAccountId?: string },
): Promise<boolean> {
  const [user, passkeys, external, verifiedEmails, emails, verifiedPhones] = await Promise.all([
    tx.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } }),
    tx.passkey.count({ where: { userId, ...(options.exceptPasskeyId ? { id: { not: options.exceptPasskeyId } } : {}) } }),
    tx.externalAccount.count({ where: { userId, ...(options.exceptExternalAccountId ? { id: { not: options.exceptExternalAccountId } } : {}) } }),
    options.emailSignIn ? tx.emailAddress.count({ where: { userId, verified: true } }) : 0,
    tx.emailAddress.count({ where: { userId } }),
    options.phoneSignIn ? tx.phoneNumber.count({ where: { userId, verified: true } }) : 0,
  ]);
  // A phone-only account's password needs its number to be typed with.
  const password = Boolean(user.passwordHash) && emails + verifiedPhones > 0;
  return password || passkeys + external + verifiedEmails + verifiedPhones > 0;
}
