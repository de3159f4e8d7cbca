import "server-only";
import { hasOtherWayToSignIn } from "@/lib/passkeys";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { sha256 } from "@/lib/crypto";
import { RESEND_COOLDOWN_MS } from "@/lib/verification";
import { recordAuditEvent } from "@/lib/audit";
import { secondFactorMethods, type SecondFactorMethods } from "@/lib/mfa";
import { assertNotDisposable } from "@/lib/bot-protection";
import { defaultRedirect, getInstanceSettings, type InstanceSettings } from "@/lib/settings";
import { ensureClient, isSignedInAs, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { startVerifiedSignUp } from "@/lib/sign-up";
import {
  AccessPolicyError,
  assertSignUpAllowed,
  findAccountByEmail,
  importProviderPicture,
  linkExternalAccount,
  normalizeEmail,
  type ExternalIdentity,
} from "@/lib/users";
import {
  beginAuthorization,
  completeAuthorization,
  findProvider,
  OAuthFlowError,
  publicProvider,
  type OAuthFailure,
  type PublicProvider,
} from "@/lib/oauth";
import { createSignInAttempt, createSignUpAttempt, EMAIL_ATTEMPT_TTL_MS, finishSignIn, finishSignUp, PASSWORD_ATTEMPT_TTL_MS } from "./attempts";
import { assertSignInMethodEnabled } from "./methods";

/**
 * The OAuth / OpenID Connect strategy of the sign-in attempt (S5). lib/oauth
 * runs the protocol (PKCE, state, nonce, ID token checks) and hands over the
 * identity the provider vouched for; everything after that is decided here,
 * and sessions open only through the attempt module:
 *
 * - an identity already linked signs its user in;
 * - otherwise it links to an existing account only through an email the
 *   provider says is verified AND that is verified here (never a second
 *   account for the same verified email);
 * - otherwise a new account: at once when the provider vouches for the email,
 *   after our own email verification (code or link) when it does not;
 * - signed in already (connect), it links to that user only.
 */
export type OAuthProfile = ExternalIdentity & {
  /** Display name of the provider, for messages ("Google"). */
  providerName: string;
  firstName?: string | null;
  lastName?: string | null;
};

export type OAuthOutcome =
  | { status: "complete"; redirectUrl: string | null; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; methods: SecondFactorMethods; newClientToken: string | null; redirectUrl: string | null }
  | { status: "needs_verification"; attemptId: string; email: string; resendAfter: number; newClientToken: string | null }
  | { status: "connected"; redirectUrl: string | null };

/** Why a callback ended without signing in: each has its own page (app/(auth)/sso-callback). */
export type OAuthCallbackFailure =
  | OAuthFailure
  | "email_taken"
  | "already_connected"
  | "no_email"
  | "suspended"
  | "locked"
  | "session_changed"
  /** The sign-up policy (S8) refused a new account for this address. */
  | "sign_up_restricted"
  /** The address (or its domain) is blocklisted (S8). */
  | "sign_in_blocked";

export type OAuthCallbackResult =
  | (OAuthOutcome & { provider: PublicProvider; intent: "sign_in" | "connect" })
  | { status: "failed"; reason: OAuthCallbackFailure; provider: PublicProvider | null; intent: "sign_in" | "connect"; email?: string };

/** The exact redirect URI registered with the provider (S5). */
export const oauthCallbackUrl = (origin: string, providerId: string) => `${origin}/api/auth/oauth/${providerId}/callback`;

/**
 * Starts an OAuth round trip: the provider's URL to send the browser to and
 * the sealed flow state for its cookie. Connecting needs the signed-in user,
 * and the callback will link to that user only.
 */
export async function startOAuth(
  input: { providerId: string; intent: "sign_in" | "connect"; redirectUrl: string; signedInUserId: string | null; impersonating?: boolean },
  context: Pick<RequestContext, "issuer">,
) {
  if (input.intent === "connect" && input.impersonating) {
    throw new AppError("forbidden", "Connected accounts cannot be changed while impersonating a user.");
  }
  const settings = await getInstanceSettings();
  // Connecting stays possible: it adds a way in for later; signing in and up through a provider is what the switch turns off (S8).
  if (input.intent === "sign_in") assertSignInMethodEnabled(settings, "oauth");
  const provider = findProvider(settings, input.providerId);
  if (!provider) throw new AppError("not_found", "This sign-in option is not available.");
  if (input.intent === "connect" && !input.signedInUserId) throw new AppError("unauthenticated", "Sign in first, then connect an account.");
  return beginAuthorization(provider, {
    callbackUrl: oauthCallbackUrl(context.issuer, provider.id),
    redirectUrl: input.redirectUrl,
    intent: input.intent,
    userId: input.intent === "connect" ? input.signedInUserId : null,
  });
}

/**
 * The provider sent the browser back: check the round trip (lib/oauth), then
 * sign in, sign up or connect through the attempt module. Every way this can
 * end without a session is a `failed` result with its reason, never a 500.
 */
export async function finishOAuth(
  input: { providerId: string; currentUrl: URL; sealedState: string | null; clientToken: string | null },
  context: RequestContext,
): Promise<OAuthCallbackResult> {
  const settings = await getInstanceSettings();
  const provider = findProvider(settings, input.providerId);
  if (!provider) return { status: "failed", reason: "not_configured", provider: null, intent: "sign_in" };
  const shown = publicProvider(provider);
  let intent: "sign_in" | "connect" = "sign_in";
  try {
    const { identity, flow } = await completeAuthorization(provider, {
      currentUrl: input.currentUrl,
      callbackUrl: oauthCallbackUrl(context.issuer, provider.id),
      sealedState: input.sealedState,
    });
    intent = flow.intent;
    // Turned off while this browser was at the provider (S8): the answer is used for nothing.
    if (flow.intent === "sign_in" && !settings.oauthSignIn) return { status: "failed", reason: "not_configured", provider: shown, intent };
    // Connecting links to the user who started it, and only while this browser is still signed in as them.
    if (flow.intent === "connect" && !(flow.userId && (await isSignedInAs(input.clientToken, flow.userId)))) {
      return { status: "failed", reason: "session_changed", provider: shown, intent };
    }
    const outcome = await signInWithOAuth(
      {
        profile: { ...identity, providerName: provider.name },
        clientToken: input.clientToken,
        redirectUrl: flow.redirectUrl,
        connectTo: flow.intent === "connect" ? { userId: flow.userId! } : null,
      },
      context,
    );
    return { ...outcome, provider: shown, intent };
  } catch (error) {
    const reason = failureReason(error);
    if (!reason) throw error;
    if (error instanceof OAuthFlowError) console.warn(`[oauth] ${provider.id}: ${error.message}`);
    await recordAuditEvent({
      type: "sign_in.failed",
      ip: context.ip,
      userAgent: context.userAgent,
      data: { reason: `oauth_${reason}`, provider: provider.id },
    });
    return { status: "failed", reason, provider: shown, intent };
  }
}

function failureReason(error: unknown): OAuthCallbackFailure | null {
  if (error instanceof OAuthFlowError) return error.reason;
  if (error instanceof AccessPolicyError) return error.reason;
  if (!(error instanceof AppError)) return null;
  switch (error.code) {
    case "email_taken":
      return "email_taken";
    case "conflict":
      return "already_connected";
    case "validation_failed":
      return "no_email";
    case "forbidden":
      return "suspended";
    case "account_locked":
      return "locked";
    default:
      return null;
  }
}

export async function signInWithOAuth(
  input: {
    profile: OAuthProfile;
    clientToken: string | null;
    redirectUrl?: string | null;
    /** The signed-in user connecting this provider to their account. */
    connectTo?: { userId: string } | null;
  },
  context: RequestContext,
): Promise<OAuthOutcome> {
  const { profile } = input;
  const identity: ExternalIdentity = {
    provider: profile.provider,
    providerUserId: profile.providerUserId,
    email: profile.email ? normalizeEmail(profile.email) : null,
    emailVerified: profile.emailVerified && Boolean(profile.email),
    username: profile.username ?? null,
    imageUrl: profile.imageUrl ?? null,
  };
  const linked = await db.externalAccount.findUnique({
    where: { provider_providerUserId: { provider: identity.provider, providerUserId: identity.providerUserId } },
    include: { user: true },
  });

  if (input.connectTo) {
    if (linked && linked.userId !== input.connectTo.userId) {
      throw new AppError("conflict", `This ${profile.providerName} account is already connected to another account here.`);
    }
    if (!linked) {
      await db.$transaction(async (tx) => {
        await linkExternalAccount(tx, input.connectTo!.userId, identity, context);
      });
    }
    await importProviderPicture(input.connectTo.userId, identity.imageUrl);
    return { status: "connected", redirectUrl: input.redirectUrl ?? null };
  }

  if (linked) {
    // Keep what the provider says now (address, picture) on the link.
    await db.externalAccount.update({
      where: { id: linked.id },
      data: { email: identity.email, emailVerified: identity.emailVerified, username: identity.username, imageUrl: identity.imageUrl },
    });
    const verifiedEmail = identity.email && (await findAccountByEmail(identity.email, { allowUnverifiedPrimary: false }))?.user.id === linked.userId ? identity.email : null;
    return signInUser({ userId: linked.userId, identity, verifiedEmail, link: false }, input, context);
  }

  if (!identity.email) {
    throw new AppError(
      "validation_failed",
      `Your ${profile.providerName} account did not share an email address, which this site needs. Sign up with your email instead.`,
    );
  }
  const account = await findAccountByEmail(identity.email, { allowUnverifiedPrimary: false });
  if (account) {
    if (!identity.emailVerified) {
      throw new AppError(
        "email_taken",
        `An account with ${identity.email} already exists. Sign in to it first, then connect ${profile.providerName} from your account page.`,
      );
    }
    return signInUser({ userId: account.user.id, identity, verifiedEmail: identity.email, link: true }, input, context);
  }

  const settings = await getInstanceSettings();
  const redirectUrl = landingUrl(input.redirectUrl, settings, "signUp");
  // A new account: the sign-up policy (S8) decides, as for every other way to sign up (createUser checks again).
  assertSignUpAllowed(identity.email, settings, null);
  // Bot protection (S10): no proof-of-work here (the provider vouched for a person), but disposable domains still count.
  await assertNotDisposable(identity.email, settings, context);
  if (!identity.emailVerified) {
    // The provider does not vouch for the address: our email verification (S4) comes first.
    const sent = await startVerifiedSignUp(
      {
        email: identity.email,
        emailNormalized: identity.email,
        firstName: profile.firstName,
        lastName: profile.lastName,
        external: identity,
        redirectUrl,
        clientToken: input.clientToken,
      },
      context,
    );
    return { status: "needs_verification", attemptId: sent.attemptId, email: identity.email, resendAfter: sent.resendAfter, newClientToken: sent.newClientToken };
  }
  const created = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignUpAttempt(
      tx,
      {
        client,
        emailNormalized: identity.email!,
        firstName: profile.firstName,
        lastName: profile.lastName,
        external: identity,
        redirectUrl,
        ttlMs: PASSWORD_ATTEMPT_TTL_MS,
      },
      context,
    );
    return finishSignUp(
      tx,
      { attempt: { kind: "sign_up", id: attemptId, clientId: client.clientId }, client, emailVerified: true, method: `oauth_${identity.provider}`, settings },
      context,
    );
  });
  await importProviderPicture(created.userId, identity.imageUrl);
  const session = await issueTokenForSession(created.opened, { userId: created.userId, role: created.role, emailVerified: true }, context);
  return { status: "complete", redirectUrl, session };
}

/**
 * Where a provider sign-in lands: the page's own redirect_url (checked when the
 * flow started), else the admin's default for what it turned out to be (S8).
 */
function landingUrl(requested: string | null | undefined, settings: InstanceSettings, moment: "signIn" | "signUp"): string {
  return requested || defaultRedirect(settings, moment);
}

/** An existing user signs in through the provider (linking it first when `link`); MFA still applies. */
async function signInUser(
  target: { userId: string; identity: ExternalIdentity; verifiedEmail: string | null; link: boolean },
  input: { clientToken: string | null; redirectUrl?: string | null },
  context: RequestContext,
): Promise<OAuthOutcome> {
  const settings = await getInstanceSettings();
  const redirectUrl = landingUrl(input.redirectUrl, settings, "signIn");
  const user = await db.user.findUniqueOrThrow({ where: { id: target.userId } });
  const outcome = await db.$transaction(async (tx) => {
    if (target.link) {
      await linkExternalAccount(tx, user.id, target.identity, context);
    }
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignInAttempt(
      tx,
      { client, identifier: target.verifiedEmail ?? target.identity.email ?? "", userId: user.id, redirectUrl, ttlMs: EMAIL_ATTEMPT_TTL_MS },
      context,
    );
    const outcome = await finishSignIn(
      tx,
      {
        attempt: { kind: "sign_in", id: attemptId, clientId: client.clientId },
        user,
        factor: `oauth_${target.identity.provider}`,
        client,
        verifiedEmail: target.verifiedEmail,
        settings,
      },
      context,
    );
    return { ...outcome, newClientToken: client.newClientToken };
  });
  if (target.link) await importProviderPicture(user.id, target.identity.imageUrl);
  if (outcome.status === "needs_second_factor") {
    return {
      status: "needs_second_factor",
      attemptId: outcome.attemptId,
      methods: await secondFactorMethods(user.id),
      newClientToken: outcome.newClientToken,
      redirectUrl,
    };
  }
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role }, context);
  return { status: "complete", redirectUrl, session };
}

/** The providers connected to a user, for the signed-in side. */
export async function listExternalAccounts(userId: string) {
  return db.externalAccount.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { id: true, provider: true, email: true, emailVerified: true, username: true, imageUrl: true, createdAt: true },
  });
}

/**
 * Disconnects a provider (S5, S7), never the last way to sign in: a password,
 * another provider, or a verified email address while emailed sign-in codes
 * are on must remain.
 */
export async function disconnectExternalAccount(
  input: { userId: string; externalAccountId: string },
  context: { ip: string | null; userAgent: string | null },
): Promise<void> {
  const { emailCodeSignIn, emailLinkSignIn, identifiers } = await getInstanceSettings();
  const emailSignIn = emailCodeSignIn || emailLinkSignIn;
  await db.$transaction(async (tx) => {
    const account = await tx.externalAccount.findFirst({ where: { id: input.externalAccountId, userId: input.userId } });
    if (!account) throw new AppError("not_found", "That connection does not exist.");
    const phoneSignIn = identifiers.phone;
    if (!(await hasOtherWayToSignIn(tx, input.userId, { emailSignIn, phoneSignIn, exceptExternalAccountId: account.id }))) {
      throw new AppError("conflict", "This is your only way to sign in. Set a password or connect another account first.");
    }
    await tx.externalAccount.delete({ where: { id: account.id } });
    await recordAuditEvent(
      {
        type: "external_account.unlinked",
        actorId: input.userId,
        targetId: account.id,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { provider: account.provider },
      },
      tx,
    );
  });
}

export type PendingOAuthStep =
  | { step: "second_factor"; attemptId: string; methods: SecondFactorMethods; redirectUrl: string | null }
  | { step: "verify"; attemptId: string; email: string; resendAfter: number; redirectUrl: string | null };

/**
 * The step an OAuth callback left this browser on (second factor, or our
 * email verification for an address the provider did not vouch for), for the
 * page it lands on. Only the browser that holds the attempt's client sees it.
 */
export async function pendingOAuthStep(
  input: { step: "second_factor" | "verify"; attemptId: string; clientToken: string | null },
  now = new Date(),
): Promise<PendingOAuthStep | null> {
  if (!input.clientToken) return null;
  const clientTokenHash = sha256(input.clientToken);
  if (input.step === "second_factor") {
    const attempt = await db.signInAttempt.findFirst({
      where: { id: input.attemptId, status: "needs_second_factor", expiresAt: { gt: now }, client: { tokenHash: clientTokenHash } },
    });
    if (!attempt?.userId) return null;
    return { step: "second_factor", attemptId: attempt.id, methods: await secondFactorMethods(attempt.userId), redirectUrl: attempt.redirectUrl };
  }
  const attempt = await db.signUpAttempt.findFirst({
    where: { id: input.attemptId, status: "needs_verification", expiresAt: { gt: now }, client: { tokenHash: clientTokenHash } },
  });
  if (!attempt?.emailAddress) return null;
  const resendAfter = Math.max(0, Math.ceil((attempt.createdAt.getTime() + RESEND_COOLDOWN_MS - now.getTime()) / 1000));
  return { step: "verify", attemptId: attempt.id, email: attempt.emailAddress, resendAfter, redirectUrl: attempt.redirectUrl };
}
