import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { budgetUsed, countEvent, RATE_LIMIT_RULES, type RateLimitRule } from "@/lib/ratelimit";
import type { InstanceSettings } from "@/lib/settings";
import type { RequestContext } from "@/lib/session";
import { matchesAccessList } from "@/lib/settings/access-lists";
import { AccessPolicyError } from "@/lib/users/sign-up-policy";
import { checkAltchaSolution, issueAltchaChallenge } from "./altcha";
import { isDisposableEmail } from "./disposable";
import { markChallengeUsed } from "./replay";
import { checkTurnstileToken, type TurnstileOptions } from "./turnstile";

/**
 * Bot protection (S10) as the domain sees it. Every self-service sign-up
 * proves a person is there (a solved proof-of-work challenge, or a Turnstile
 * token); sign-ins, code sends and resets do only when risk says so, so the
 * stranger who would lock the owner out meets a challenge and the owner on a
 * known device never does. A filled honeypot field is refused quietly.
 * Every refusal is audited (`bot.refused`) with its reason.
 */

/** `phone_code` / `phone_password_reset`: the SMS counterparts of `email_code` / `password_reset` (issue 19). */
export type BotAction = "sign_up" | "sign_in" | "email_code" | "password_reset" | "phone_code" | "phone_password_reset";

/** What a form sends besides its fields: the widget's answer and the hidden honeypot input. */
export type HumanProof = { botSolution?: string | null; honeypot?: string | null };

export type BotRefusalReason =
  | "challenge_missing"
  | "challenge_invalid"
  | "challenge_expired"
  | "challenge_replayed"
  | "provider_unavailable"
  | "honeypot"
  | "disposable_email";

const REFUSAL_MESSAGES: Record<Exclude<BotRefusalReason, "honeypot" | "disposable_email">, string> = {
  challenge_missing: "Your browser needs to finish a quick check first. It runs on its own; try again in a moment.",
  challenge_invalid: "Your browser's check did not pass. Try again.",
  challenge_expired: "Your browser's check expired. Try again.",
  challenge_replayed: "That check was already used. Try again.",
  provider_unavailable: "The bot check could not be completed right now. Try again in a moment.",
};

export const DISPOSABLE_EMAIL_MESSAGE = "Use a permanent email address: disposable addresses can't sign up here.";

export type BotProvider = { kind: "altcha" } | { kind: "turnstile"; siteKey: string; secret: string };

/** Turnstile only while its keys are configured; otherwise (or if they are removed later) the built-in check. */
export function activeBotProvider(settings: Pick<InstanceSettings, "botProvider">): BotProvider {
  const { TURNSTILE_SITE_KEY, TURNSTILE_SECRET_KEY } = getConfig();
  if (settings.botProvider === "turnstile" && TURNSTILE_SITE_KEY && TURNSTILE_SECRET_KEY) {
    return { kind: "turnstile", siteKey: TURNSTILE_SITE_KEY, secret: TURNSTILE_SECRET_KEY };
  }
  return { kind: "altcha" };
}

/** What the sign-in and sign-up pages need to draw the check; never a secret. */
export type PublicBotCheck = { enabled: false } | { enabled: true; provider: "altcha" } | { enabled: true; provider: "turnstile"; siteKey: string };

export function publicBotCheck(settings: Pick<InstanceSettings, "botProtection" | "botProvider">): PublicBotCheck {
  if (!settings.botProtection) return { enabled: false };
  const provider = activeBotProvider(settings);
  return provider.kind === "turnstile" ? { enabled: true, provider: "turnstile", siteKey: provider.siteKey } : { enabled: true, provider: "altcha" };
}

/** GET /api/auth/bot-challenge: a fresh challenge for the widget. */
export async function newBotChallenge(settings: Pick<InstanceSettings, "botChallengeDifficulty">) {
  return issueAltchaChallenge(settings.botChallengeDifficulty);
}

async function refuse(reason: BotRefusalReason, action: BotAction, context: RequestContext): Promise<never> {
  await recordAuditEvent({ type: "bot.refused", ip: context.ip, userAgent: context.userAgent, data: { reason, action } });
  if (reason === "honeypot" || reason === "disposable_email") throw new Error(`refuse(${reason}) is handled by its caller`);
  throw new AppError("bot_challenge_required", REFUSAL_MESSAGES[reason]);
}

/**
 * Accepts the request only with a valid, unused solution; otherwise throws
 * `bot_challenge_required` (428), which makes the form solve a fresh challenge
 * and send again.
 */
export async function requireHuman(
  proof: HumanProof,
  input: { action: BotAction; settings: Pick<InstanceSettings, "botProvider">; turnstile?: Partial<TurnstileOptions> },
  context: RequestContext,
): Promise<void> {
  const solution = proof.botSolution?.trim();
  if (!solution) return refuse("challenge_missing", input.action, context);
  const provider = activeBotProvider(input.settings);
  if (provider.kind === "turnstile") {
    const check = await checkTurnstileToken(solution, { secret: provider.secret, ip: context.ip, ...input.turnstile });
    if (!check.ok) return refuse(check.reason, input.action, context);
    return;
  }
  const check = await checkAltchaSolution(solution);
  if (!check.ok) return refuse(check.reason, input.action, context);
  if (!(await markChallengeUsed(check.signature, check.expiresAt))) return refuse("challenge_replayed", input.action, context);
}

/**
 * The honeypot: an input people never see or fill. True (and audited) when a
 * form arrived with it filled; the caller then answers as it would for any
 * refusal that must not teach the sender anything.
 */
export async function honeypotTripped(proof: HumanProof, action: BotAction, context: RequestContext): Promise<boolean> {
  if (!proof.honeypot) return false;
  await recordAuditEvent({ type: "bot.refused", ip: context.ip, userAgent: context.userAgent, data: { reason: "honeypot", action } });
  return true;
}

/**
 * The checks every self-service sign-up passes before any work is done:
 * disposable domains (when the setting is on; the allowlist wins), then the
 * challenge (when bot protection is on). The honeypot is the caller's, since
 * its quiet answer depends on the flow. A sign-up by phone number has no
 * address (`emailNormalized` null): only the challenge applies.
 */
export async function screenSignUp(
  input: { emailNormalized: string | null; proof: HumanProof; challenge?: boolean },
  settings: Pick<InstanceSettings, "botProtection" | "botProvider" | "blockDisposableEmails" | "allowlist">,
  context: RequestContext,
): Promise<void> {
  if (input.emailNormalized !== null) await assertNotDisposable(input.emailNormalized, settings, context);
  if (settings.botProtection && input.challenge !== false) await requireHuman(input.proof, { action: "sign_up", settings }, context);
}

/** Whether a sign-up address would be refused as disposable (the allowlist wins). */
export function refusesAsDisposable(emailNormalized: string, settings: Pick<InstanceSettings, "blockDisposableEmails" | "allowlist">): boolean {
  return settings.blockDisposableEmails && !matchesAccessList(emailNormalized, settings.allowlist) && isDisposableEmail(emailNormalized);
}

/** Throws 403 on the email field for a disposable address (audited); OAuth sign-ups call it too. */
export async function assertNotDisposable(
  emailNormalized: string,
  settings: Pick<InstanceSettings, "blockDisposableEmails" | "allowlist">,
  context: RequestContext,
): Promise<void> {
  if (!refusesAsDisposable(emailNormalized, settings)) return;
  await recordAuditEvent({ type: "bot.refused", ip: context.ip, userAgent: context.userAgent, data: { reason: "disposable_email", action: "sign_up" } });
  // A policy refusal like the blocklist's (403 on the email field; OAuth shows its "sign-up restricted" page).
  throw new AccessPolicyError("sign_up_restricted", DISPOSABLE_EMAIL_MESSAGE);
}

type RiskRules = { perIdentifier: RateLimitRule; perIp: RateLimitRule };

const RISK_RULES: Record<Exclude<BotAction, "sign_up">, RiskRules> = {
  sign_in: { perIdentifier: RATE_LIMIT_RULES.signInPerIdentifier, perIp: RATE_LIMIT_RULES.signInPerIp },
  email_code: { perIdentifier: RATE_LIMIT_RULES.sendPerIdentifier, perIp: RATE_LIMIT_RULES.sendPerIp },
  password_reset: { perIdentifier: RATE_LIMIT_RULES.sendPerIdentifier, perIp: RATE_LIMIT_RULES.sendPerIp },
  // Texts: the number's send budget (the same rule as an address's) and the per-IP SMS budget (SMS pumping).
  phone_code: { perIdentifier: RATE_LIMIT_RULES.sendPerIdentifier, perIp: RATE_LIMIT_RULES.smsSendPerIp },
  phone_password_reset: { perIdentifier: RATE_LIMIT_RULES.sendPerIdentifier, perIp: RATE_LIMIT_RULES.smsSendPerIp },
};

/** At least half of a budget used: the request is heading for the limit. */
async function nearCap(rule: RateLimitRule, key: string): Promise<boolean> {
  const usage = await budgetUsed(rule, key);
  return usage !== null && usage.used * 2 >= usage.limit;
}

/**
 * Risk signals (S10): this address's budget or this IP's budget for the
 * action at least half used, or several wrong passwords or codes from this IP
 * in the last hour. Read without counting anything. A browser that has signed
 * in as this user before is never challenged.
 */
export async function signalsRisk(
  action: Exclude<BotAction, "sign_up">,
  input: { identifierKey: string; knownDevice: boolean },
  context: RequestContext,
): Promise<boolean> {
  if (input.knownDevice) return false;
  const rules = RISK_RULES[action];
  const ip = context.ip ?? "unknown";
  // Side by side: with Redis each read is a round trip.
  const [failures, addressNearCap, ipNearCap] = await Promise.all([
    budgetUsed(RATE_LIMIT_RULES.clientFailuresPerIp, ip),
    nearCap(rules.perIdentifier, input.identifierKey),
    nearCap(rules.perIp, ip),
  ]);
  return (failures !== null && failures.used >= failures.limit) || addressNearCap || ipNearCap;
}

/**
 * Sign-in, code sends and password resets: a challenge when the setting says
 * "always", or "risk" and the signals say so; never while bot protection is off.
 */
export async function requireHumanIfRisky(
  proof: HumanProof,
  input: {
    action: Exclude<BotAction, "sign_up">;
    identifierKey: string;
    knownDevice: boolean;
    settings: Pick<InstanceSettings, "botProtection" | "botChallengeSignIn" | "botProvider">;
  },
  context: RequestContext,
): Promise<void> {
  const { settings } = input;
  if (!settings.botProtection || settings.botChallengeSignIn === "never") return;
  if (settings.botChallengeSignIn === "risk" && !(await signalsRisk(input.action, input, context))) return;
  await requireHuman(proof, { action: input.action, settings }, context);
}

/** A wrong password or code from this client: counts towards the "many failures" risk signal. */
export async function recordClientFailure(context: RequestContext): Promise<void> {
  await countEvent(RATE_LIMIT_RULES.clientFailuresPerIp, context.ip ?? "unknown");
}
