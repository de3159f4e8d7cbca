import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import type { InstanceSettings } from "@/lib/settings";
import { isSameClient, openSession, type OpenedSession, type RequestContext, type EnsuredClient, type ResolvedClient } from "@/lib/session";
import {
  AccessPolicyError,
  anyBlocked,
  createUser,
  createUsers,
  isAdminEmail,
  SIGN_IN_BLOCKED_MESSAGE,
  type AccessPolicySettings,
  type ExternalIdentity,
  type NewUser,
} from "@/lib/users";
import type { AttemptStatus } from "@/lib/generated/prisma/client";

/**
 * THE sign-in attempt module (S2). Every way to sign in or sign up is a
 * strategy that proves something and then calls into here; nothing else
 * opens a session (a test keeps it so):
 *
 *   create   -> an attempt bound to the browser's client, short-lived
 *   load     -> only for the browser that started it (`loadAttemptForBrowser`)
 *   advance  -> one conditional UPDATE that checks id, client, status AND expiry,
 *               so of N concurrent callers exactly one moves it on
 *   finish   -> `finishSignIn` / `finishSignUp`: second-factor gate, the
 *               session, the role, the audit event, in the caller's transaction
 *   (impersonation, S8: `openImpersonationSession`, no attempt: the admin's
 *    session and step-up are the proof)
 *
 * Sign-in: needs_first_factor -> (needs_second_factor) -> complete.
 * Sign-up: needs_verification -> complete.
 * Sign-up with a passkey (S13): needs_verification -> needs_passkey -> complete.
 */

/** Strategies that prove the first factor. MFA, OAuth and passkeys add theirs here. */
export type FirstFactor = "password" | "email_code" | "email_link" | "phone_code" | "reset_password" | "passkey" | `oauth_${string}`;

/**
 * First factors that are two factors in one (S6): a passkey sign-in always
 * requires user verification (something you have, unlocked by something you
 * know or are), so it satisfies MFA and skips the second factor.
 */
const MULTI_FACTOR_FIRST_FACTORS: readonly FirstFactor[] = ["passkey"];

export type AttemptKind = "sign_in" | "sign_up";

export type Attempt = {
  kind: AttemptKind;
  id: string;
  clientId: string;
  clientTokenHash: string;
  /** The client's token hash when the attempt started (null for attempts older than the column). */
  startedWithTokenHash: string | null;
  status: AttemptStatus;
  /** The normalized email, or the E.164 phone number (issue 19), the attempt is about. */
  identifier: string;
  /** Where its codes go: an email attempt never completes by an SMS code, nor a phone attempt by an emailed one. */
  channel: "email" | "phone";
  userId: string | null;
  redirectUrl: string | null;
  createdSessionId: string | null;
  expiresAt: Date;
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** Sign-in attempts only (0 for sign-ups): wrong second-factor codes so far (S6). */
  secondFactorFailures: number;
  /** Sign-up attempts only (false for sign-ins): the account is made with a passkey, not a password (S13). */
  passkey: boolean;
};

/** Sign-in attempts by email stay open this long (resends extend it); password attempts only need the MFA step. */
export const EMAIL_ATTEMPT_TTL_MS = 30 * 60_000;
export const PASSWORD_ATTEMPT_TTL_MS = 10 * 60_000;
/** A passkey sign-up whose email is verified has this long to create its passkey (S13). */
export const PASSKEY_SIGN_UP_TTL_MS = 10 * 60_000;

export const attemptGone = () =>
  new AppError("not_found", "This sign-in request has expired or belongs to another browser. Start again.");

const OPEN_STATUSES: AttemptStatus[] = ["needs_identifier", "needs_first_factor", "needs_verification"];

export function isOpenAttempt(attempt: Pick<Attempt, "status">): boolean {
  return OPEN_STATUSES.includes(attempt.status);
}

// --- create -----------------------------------------------------------------

export async function createSignInAttempt(
  tx: Tx,
  /** `identifier` is null for a passkey sign-in: the authenticator names the account, not a typed address. */
  input: { client: EnsuredClient; identifier: string | null; userId: string | null; redirectUrl?: string | null; ttlMs: number },
  context: RequestContext,
): Promise<string> {
  const now = context.now ?? new Date();
  const id = newId("signInAttempt");
  await tx.signInAttempt.create({
    data: {
      id,
      clientId: input.client.clientId,
      startedWithTokenHash: input.client.tokenHash,
      status: "needs_first_factor",
      identifier: input.identifier,
      userId: input.userId,
      redirectUrl: input.redirectUrl ?? null,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(now.getTime() + input.ttlMs),
      createdAt: now,
    },
  });
  return id;
}

export type SignUpFields = {
  /** Empty for a sign-up by phone number (`phone` set instead). */
  emailNormalized: string;
  /** A sign-up by phone number (issue 19): the E.164 number its SMS code goes to. */
  phone?: string | null;
  /** Password sign-up with verification: the bcrypt hash waits on the attempt until the email is verified. */
  passwordHash?: string | null;
  passwordCost?: number | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Sign-up through OAuth with an unverified provider email: linked once the address is verified here (S5). */
  external?: ExternalIdentity | null;
  /** The invitation the sign-up presented (S8), already checked; createUser checks and accepts it. */
  invitationId?: string | null;
  /** S13: the account gets a passkey instead of a password, after the email is verified. */
  passkey?: boolean;
};

export async function createSignUpAttempt(
  tx: Tx,
  input: SignUpFields & { client: EnsuredClient; redirectUrl?: string | null; ttlMs: number },
  context: RequestContext,
): Promise<string> {
  const now = context.now ?? new Date();
  const id = newId("signUpAttempt");
  await tx.signUpAttempt.create({
    data: {
      id,
      clientId: input.client.clientId,
      startedWithTokenHash: input.client.tokenHash,
      status: "needs_verification",
      emailAddress: input.phone ? null : input.emailNormalized,
      phoneNumber: input.phone ?? null,
      passwordHash: input.passwordHash ?? null,
      passwordCost: input.passwordCost ?? null,
      firstName: input.firstName || null,
      lastName: input.lastName || null,
      externalProvider: input.external?.provider ?? null,
      externalProviderUserId: input.external?.providerUserId ?? null,
      externalProfile: input.external ? (input.external as object) : undefined,
      invitationId: input.invitationId ?? null,
      passkey: input.passkey ?? false,
      redirectUrl: input.redirectUrl ?? null,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(now.getTime() + input.ttlMs),
      createdAt: now,
    },
  });
  return id;
}

// --- load -------------------------------------------------------------------

const kindOf = (attemptId: string): AttemptKind => (attemptId.startsWith("sua_") ? "sign_up" : "sign_in");

/** Any attempt by id, whoever asks (an emailed link names its attempt; the caller decides what that browser may do). */
export async function loadAttempt(attemptId: string, tx: Tx = db): Promise<Attempt | null> {
  if (kindOf(attemptId) === "sign_up") {
    const row = await tx.signUpAttempt.findUnique({
      where: { id: attemptId },
      include: { client: { select: { tokenHash: true } } },
    });
    return row
      ? {
          ...row,
          kind: "sign_up",
          clientTokenHash: row.client.tokenHash,
          identifier: row.phoneNumber ?? row.emailAddress ?? "",
          channel: row.phoneNumber ? "phone" : "email",
          secondFactorFailures: 0,
          passkey: row.passkey,
        }
      : null;
  }
  const row = await tx.signInAttempt.findUnique({
    where: { id: attemptId },
    include: { client: { select: { tokenHash: true } } },
  });
  return row
    ? {
        ...row,
        kind: "sign_in",
        clientTokenHash: row.client.tokenHash,
        identifier: row.identifier ?? "",
        // E.164 numbers start with "+", which no normalized email address does.
        channel: row.identifier?.startsWith("+") ? "phone" : "email",
        passkey: false,
      }
    : null;
}

/** The attempt, only for the browser (client) that started it; to anyone else it does not exist. */
export async function loadAttemptForBrowser(attemptId: string, clientToken: string | null): Promise<Attempt> {
  const attempt = await loadAttempt(attemptId);
  if (!attempt || !belongsToBrowser(attempt, clientToken)) throw attemptGone();
  return attempt;
}

export function belongsToBrowser(attempt: Pick<Attempt, "clientTokenHash">, clientToken: string | null): boolean {
  return isSameClient(clientToken, attempt.clientTokenHash);
}

/**
 * Whether `clientToken` is the one the attempt was started with, though the client's token has
 * been replaced since: the attempt completed in another tab of the same browser, whose answer
 * set the new `__client` cookie while this tab's status poll was on its way with the old one.
 * Only ever enough to be told "complete": never to finish or change the attempt.
 */
export function startedInBrowserBeforeSignIn(attempt: Pick<Attempt, "startedWithTokenHash">, clientToken: string | null): boolean {
  return attempt.startedWithTokenHash !== null && isSameClient(clientToken, attempt.startedWithTokenHash);
}

// --- advance ----------------------------------------------------------------

type AdvanceData = {
  userId?: string;
  firstFactor?: FirstFactor;
  secondFactor?: SecondFactor;
  createdSessionId?: string;
  expiresAt?: Date;
};

/**
 * Moves the attempt from one of `from` to `to` in ONE conditional update that
 * also checks the browser's client and the expiry, so a stale or foreign
 * attempt never advances and of N concurrent callers exactly one does.
 */
export async function advanceAttempt(
  tx: Tx,
  attempt: Pick<Attempt, "kind" | "id" | "clientId">,
  change: { from: AttemptStatus[]; to: AttemptStatus; data?: AdvanceData },
  now: Date,
): Promise<void> {
  const where = { id: attempt.id, clientId: attempt.clientId, status: { in: change.from }, expiresAt: { gt: now } };
  const { count } =
    attempt.kind === "sign_up"
      ? await tx.signUpAttempt.updateMany({
          where,
          data: {
            status: change.to,
            ...(change.data?.userId ? { userId: change.data.userId } : {}),
            ...(change.data?.createdSessionId ? { createdSessionId: change.data.createdSessionId } : {}),
            ...(change.data?.expiresAt ? { expiresAt: change.data.expiresAt } : {}),
          },
        })
      : await tx.signInAttempt.updateMany({ where, data: { status: change.to, ...change.data } });
  if (count === 1) return;
  const current = await loadAttempt(attempt.id, tx);
  if (current && current.expiresAt <= now && change.from.includes(current.status)) {
    throw new AppError("verification_expired", "This sign-in request has expired. Start again.");
  }
  throw new AppError("verification_used", "This sign-in has already been completed.");
}

/** Keeps an open attempt alive (a resend): same checks as any transition. */
export function extendAttempt(tx: Tx, attempt: Attempt, ttlMs: number, now: Date): Promise<void> {
  return advanceAttempt(
    tx,
    attempt,
    { from: [attempt.status], to: attempt.status, data: { expiresAt: new Date(now.getTime() + ttlMs) } },
    now,
  );
}

/** "This wasn't me": the attempt can never complete. */
export async function abandonAttempt(tx: Tx, attempt: Pick<Attempt, "kind" | "id">, now: Date): Promise<void> {
  const where = { id: attempt.id, status: { in: OPEN_STATUSES } };
  const data = { status: "abandoned" as const, expiresAt: now };
  if (attempt.kind === "sign_up") await tx.signUpAttempt.updateMany({ where, data });
  else await tx.signInAttempt.updateMany({ where, data });
}

// --- finish -----------------------------------------------------------------

export type SignInUser = { id: string; role: "user" | "admin"; banned: boolean; mfaEnabled: boolean };

/** How the second factor was proved (S6). */
export type SecondFactor = "totp" | "backup_code" | "sms" | "security_key";

export type SignInOutcome =
  | { status: "complete"; attemptId: string; userId: string; role: "user" | "admin"; opened: OpenedSession }
  | { status: "needs_second_factor"; attemptId: string };

/** An attempt waiting for its second factor stays open this long (S6). */
export const SECOND_FACTOR_TTL_MS = 10 * 60_000;

type Finish = {
  user: SignInUser;
  client: ResolvedClient;
  /** The address used, when it is verified (its ADMIN_EMAILS grant applies). */
  verifiedEmail: string | null;
  settings: Pick<InstanceSettings, "multiSession" | "sessionMaxAgeDays" | "blocklist">;
};

/**
 * The step after any first factor (S2, S6): every strategy ends here, so the
 * second factor is enforced in one place. With MFA on, the attempt moves to
 * needs_second_factor (for 10 minutes) and no session exists yet; the second
 * factor finishes it in `finishSecondFactor`. Otherwise the session opens.
 */
export async function finishSignIn(
  tx: Tx,
  input: Finish & { attempt: Pick<Attempt, "kind" | "id" | "clientId">; factor: FirstFactor },
  context: RequestContext,
): Promise<SignInOutcome> {
  const now = context.now ?? new Date();
  const { user, attempt } = input;
  if (user.banned) throw new AppError("forbidden", "This account has been suspended. Contact the administrator.");
  await assertNotBlocked(tx, input);
  const from: AttemptStatus[] = ["needs_identifier", "needs_first_factor"];

  if (user.mfaEnabled && !MULTI_FACTOR_FIRST_FACTORS.includes(input.factor)) {
    await advanceAttempt(
      tx,
      attempt,
      {
        from,
        to: "needs_second_factor",
        data: { userId: user.id, firstFactor: input.factor, expiresAt: new Date(now.getTime() + SECOND_FACTOR_TTL_MS) },
      },
      now,
    );
    return { status: "needs_second_factor", attemptId: attempt.id };
  }
  return openSignedInSession(tx, { ...input, from, data: { firstFactor: input.factor } }, context);
}

/** The second factor was proved (lib/mfa): the attempt completes and its session opens, once. */
export async function finishSecondFactor(
  tx: Tx,
  input: Finish & { attempt: Pick<Attempt, "kind" | "id" | "clientId">; secondFactor: SecondFactor },
  context: RequestContext,
): Promise<Extract<SignInOutcome, { status: "complete" }>> {
  if (input.user.banned) throw new AppError("forbidden", "This account has been suspended. Contact the administrator.");
  await assertNotBlocked(tx, input);
  // The audit names both factors: the first one was recorded when the attempt stopped here.
  const stopped = await tx.signInAttempt.findUnique({ where: { id: input.attempt.id }, select: { firstFactor: true } });
  return openSignedInSession(
    tx,
    {
      ...input,
      from: ["needs_second_factor"],
      data: { firstFactor: (stopped?.firstFactor as FirstFactor | null) ?? undefined, secondFactor: input.secondFactor },
    },
    context,
  );
}

/**
 * Every strategy passes here before its second factor and its session: a user
 * with a blocklisted address (S8) is refused, however they proved who they are
 * (an OAuth identity or a reset code for another address included).
 */
async function assertNotBlocked(tx: Tx, input: Pick<Finish, "user" | "verifiedEmail" | "settings">): Promise<void> {
  if (input.settings.blocklist.length === 0) return;
  const addresses = await tx.emailAddress.findMany({ where: { userId: input.user.id, verified: true }, select: { emailNormalized: true } });
  const emails = [...(input.verifiedEmail ? [input.verifiedEmail] : []), ...addresses.map((address) => address.emailNormalized)];
  if (anyBlocked(emails, input.settings)) throw new AccessPolicyError("sign_in_blocked", SIGN_IN_BLOCKED_MESSAGE);
}

/** Session, attempt -> complete, role (ADMIN_EMAILS only through a verified address), audit. */
async function openSignedInSession(
  tx: Tx,
  input: Finish & {
    attempt: Pick<Attempt, "kind" | "id" | "clientId">;
    from: AttemptStatus[];
    data: { firstFactor?: FirstFactor; secondFactor?: SecondFactor };
  },
  context: RequestContext,
): Promise<Extract<SignInOutcome, { status: "complete" }>> {
  const now = context.now ?? new Date();
  const { user, attempt } = input;
  const opened = await openSession(tx, { userId: user.id, client: input.client }, input.settings, context);
  await advanceAttempt(
    tx,
    attempt,
    { from: input.from, to: "complete", data: { userId: user.id, ...input.data, createdSessionId: opened.sessionId } },
    now,
  );
  const role = user.role === "admin" || (input.verifiedEmail !== null && isAdminEmail(input.verifiedEmail)) ? "admin" : "user";
  await tx.user.update({
    where: { id: user.id },
    data: { role, failedSignInAttempts: 0, lastSignInAt: now, lastActiveAt: now },
  });
  await recordAuditEvent(
    {
      type: "sign_in.succeeded",
      actorId: user.id,
      targetId: opened.sessionId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { factor: input.data.firstFactor ?? null, secondFactor: input.data.secondFactor ?? null },
    },
    tx,
  );
  return { status: "complete", attemptId: attempt.id, userId: user.id, role, opened };
}

/**
 * Impersonation (S8) is a strategy too: the admin's own session and a recent
 * step-up are its proof (lib/sign-in/impersonation.ts checks them), and the
 * session it opens acts as `userId` for `actorId`. It has no attempt (nothing
 * to advance: the admin is already signed in) and ends no other session.
 */
export async function openImpersonationSession(
  tx: Tx,
  input: {
    userId: string;
    actorId: string;
    client: ResolvedClient;
    expiresAt: Date;
    settings: Pick<InstanceSettings, "multiSession" | "sessionMaxAgeDays">;
  },
  context: RequestContext,
): Promise<OpenedSession> {
  return openSession(
    tx,
    { userId: input.userId, client: input.client, actorId: input.actorId, expiresAt: input.expiresAt },
    input.settings,
    context,
  );
}

/**
 * An account made by the backend (S9 `POST /api/v1/users`), not signed up:
 * no attempt to complete, no session to open, and the sign-up policy (mode,
 * allow/block lists) does not apply: the backend holding a secret key
 * decides. It still comes to exist through the one `createUser`, in the
 * caller's transaction.
 */
export function createAccountWithoutSignUp(
  tx: Tx,
  input: Omit<NewUser, "signUpPolicy">,
  context: { ip: string | null; userAgent: string | null; now?: Date },
): Promise<{ userId: string; emailAddressId: string | null; role: "user" | "admin" }> {
  return createUser(tx, { ...input, signUpPolicy: { skip: "created_by_admin" } }, context);
}

/** `createAccountWithoutSignUp` for a batch (an import, lib/import): the one `createUser`'s batch form, `createUsers`. */
export function createAccountsWithoutSignUp(
  tx: Tx,
  inputs: Omit<NewUser, "signUpPolicy">[],
  context: { ip: string | null; userAgent: string | null; now?: Date },
): Promise<{ userId: string; emailAddressId: string | null; role: "user" | "admin" }[]> {
  return createUsers(tx, inputs.map((input) => ({ ...input, signUpPolicy: { skip: "created_by_admin" } as const })), context);
}

/**
 * A passkey sign-up's email is verified (S13): no account yet. The attempt
 * waits for the passkey (`needs_passkey`, 10 minutes) with the id the account
 * will get: the passkey is registered for that id (its user handle), and
 * `finishSignUp` makes the account with it once the passkey verifies.
 */
export async function awaitSignUpPasskey(tx: Tx, attempt: Pick<Attempt, "kind" | "id" | "clientId">, now: Date): Promise<{ userId: string }> {
  const userId = newId("user");
  await advanceAttempt(
    tx,
    attempt,
    { from: ["needs_verification"], to: "needs_passkey", data: { userId, expiresAt: new Date(now.getTime() + PASSKEY_SIGN_UP_TTL_MS) } },
    now,
  );
  return { userId };
}

/**
 * The last step of every sign-up: the attempt completes (once), the account
 * is made by the one `createUser`, and its first session opens here. A
 * passkey sign-up finishes only from `needs_passkey` (its passkey verified:
 * step "passkey"), with the id its passkey was registered for.
 */
export async function finishSignUp(
  tx: Tx,
  input: {
    attempt: Pick<Attempt, "kind" | "id" | "clientId">;
    /** Which proof finishes it: the emailed code or link (default), or a passkey sign-up's passkey. */
    step?: "verification" | "passkey";
    client: ResolvedClient;
    /** The address was proved by a code or link (false only with verification at sign-up off, or for a sign-up by phone). */
    emailVerified: boolean;
    /** How it was proved or made, for the audit log. */
    method: string;
    settings: Pick<InstanceSettings, "multiSession" | "sessionMaxAgeDays"> & AccessPolicySettings;
  },
  context: RequestContext,
): Promise<{ userId: string; role: "user" | "admin"; opened: OpenedSession }> {
  const now = context.now ?? new Date();
  const step = input.step ?? "verification";
  await advanceAttempt(tx, input.attempt, { from: [step === "passkey" ? "needs_passkey" : "needs_verification"], to: "complete" }, now);
  const fields = await tx.signUpAttempt.findUniqueOrThrow({ where: { id: input.attempt.id } });
  // A passkey sign-up never completes without its passkey, nor a password sign-up with one.
  if (fields.passkey !== (step === "passkey") || (step === "passkey" && !fields.userId)) {
    throw new AppError("conflict", "This sign-up needs another step.");
  }
  const external = fields.externalProvider ? (fields.externalProfile as ExternalIdentity | null) : null;
  const created = await createUser(
    tx,
    {
      userId: step === "passkey" ? fields.userId! : undefined,
      email: fields.emailAddress,
      emailNormalized: fields.emailAddress,
      emailVerified: input.emailVerified,
      // A sign-up by phone: its SMS code, checked by the caller, proved the number.
      phone: fields.phoneNumber,
      passwordHash: fields.passwordHash,
      passwordCost: fields.passwordCost,
      firstName: fields.firstName,
      lastName: fields.lastName,
      // The provider's picture is copied after the transaction (importProviderPicture), never linked.
      imageUrl: null,
      externalAccount: external,
      method: input.method,
      signUpPolicy: { settings: input.settings, invitationId: fields.invitationId },
    },
    context,
  );
  const opened = await openSession(tx, { userId: created.userId, client: input.client }, input.settings, context);
  await tx.signUpAttempt.update({
    where: { id: input.attempt.id },
    // The pending password hash has done its job: never keep it on the attempt.
    data: { userId: created.userId, createdSessionId: opened.sessionId, passwordHash: null, passwordCost: null },
  });
  return { userId: created.userId, role: created.role, opened };
}
