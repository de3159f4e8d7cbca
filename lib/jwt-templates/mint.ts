import "server-only";
import { SignJWT, type JWTHeaderParameters } from "jose";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getActiveSigningKey } from "@/lib/session/keys";
import { getInstanceSettings } from "@/lib/settings";
import {
  FIREBASE_RESERVED_CLAIMS,
  checkClaimsText,
  renderClaims,
  type ClaimsContext,
  type JsonObject,
  type JsonValue,
} from "./claims";
import { jwtTemplatePreviewInput, type JwtTemplatePreviewInput } from "./input";
import { FIREBASE_AUDIENCE, FIREBASE_MAX_LIFETIME_SECONDS, type SigningKind } from "./presets";
import { customSigningKey, signingKindOf } from "./signing";

const SESSION_INVALID = "Your session has ended. Please sign in again.";

/**
 * The token issuer when the caller has no request to take it from: AUTH_URL's
 * origin (always set in production), the same `iss` session tokens carry.
 */
export function instanceIssuer(): string {
  const configured = getConfig().AUTH_URL;
  return configured ? new URL(configured).origin : `http://localhost:${process.env.PORT ?? 3000}`;
}

type MintRow = {
  templateId: string | null;
  lifetimeSeconds: number;
  clockSkewSeconds: number;
  claims: JsonObject;
  algorithm: string;
  secretEncrypted: string | null;
  keyId: string | null;
  serviceAccountEmail: string | null;
  updatedAt: Date;
  sessionId: string | null;
  status: string | null;
  expiresAt: Date | null;
  lastActiveAt: Date | null;
  actorId: string | null;
  userId: string | null;
  role: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  publicMetadata: JsonValue;
  banned: boolean | null;
  email: string | null;
  emailVerified: boolean | null;
};

/**
 * The template, the session and its user in ONE round trip (a mint should
 * cost no more than a session-token refresh). The left joins from a single
 * row tell "no such template" from "no such session".
 */
async function readForMint(templateName: string, sessionId: string): Promise<MintRow> {
  const rows = await db.$queryRaw<MintRow[]>`
    SELECT t.id AS "templateId", t."lifetimeSeconds", t."clockSkewSeconds", t.claims, t.algorithm, t."secretEncrypted",
           t."keyId", t."serviceAccountEmail", t."updatedAt",
           s.id AS "sessionId", s.status::text AS status, s."expiresAt", s."lastActiveAt", s."actorId",
           u.id AS "userId", u.role::text AS role, u."firstName", u."lastName", u.username, u."imageUrl", u."publicMetadata", u.banned,
           e.email, e.verified AS "emailVerified"
    FROM (SELECT 1) AS one
    LEFT JOIN "JwtTemplate" t ON t.name = ${templateName}
    LEFT JOIN "Session" s ON s.id = ${sessionId}
    LEFT JOIN "User" u ON u.id = s."userId"
    LEFT JOIN "EmailAddress" e ON e.id = u."primaryEmailAddressId"`;
  return rows[0]!;
}

type UserFacts = Pick<MintRow, "firstName" | "lastName" | "username" | "imageUrl" | "publicMetadata" | "email" | "emailVerified"> & {
  userId: string;
  role: string;
};

function claimsContext(user: UserFacts, session: { id: string | null; actorId: string | null }, issuer: string): ClaimsContext {
  const fullName = [user.firstName, user.lastName].filter(Boolean).join(" ");
  // An uploaded picture is served by us (/avatars/...): other apps need the absolute URL.
  const imageUrl = user.imageUrl?.startsWith("/") ? `${issuer}${user.imageUrl}` : user.imageUrl;
  return {
    user: {
      id: user.userId,
      primary_email_address: user.email,
      email_verified: Boolean(user.email && user.emailVerified),
      first_name: user.firstName,
      last_name: user.lastName,
      full_name: fullName || null,
      username: user.username,
      image_url: imageUrl,
      public_metadata: user.publicMetadata ?? {},
      role: user.role,
    },
    session: { id: session.id, actor: session.actorId ? { sub: session.actorId } : null },
  };
}

type TokenShape = {
  kind: SigningKind;
  lifetimeSeconds: number;
  clockSkewSeconds: number;
  serviceAccountEmail: string | null;
};

/**
 * The token's payload: the rendered template claims under the standard ones
 * (which always win). A Firebase custom token has Firebase's own shape:
 * iss = sub = the service account, its audience, `uid`, the template's claims
 * under `claims`, at most one hour.
 */
function buildPayload(
  template: TokenShape,
  rendered: JsonObject,
  subject: { userId: string; sessionId: string; actorId: string | null },
  issuer: string,
  iat: number,
): { payload: JsonObject; exp: number } {
  if (template.kind === "firebase") {
    const exp = iat + Math.min(template.lifetimeSeconds, FIREBASE_MAX_LIFETIME_SECONDS);
    const claims: JsonObject = { ...rendered, ...(subject.actorId ? { act: { sub: subject.actorId } } : {}) };
    for (const name of FIREBASE_RESERVED_CLAIMS) delete claims[name];
    const email = template.serviceAccountEmail!;
    const payload: JsonObject = { iss: email, sub: email, aud: FIREBASE_AUDIENCE, iat, exp, uid: subject.userId };
    if (Object.keys(claims).length > 0) payload.claims = claims;
    return { payload, exp };
  }
  const exp = iat + template.lifetimeSeconds;
  const payload: JsonObject = {
    ...rendered,
    iss: issuer,
    sub: subject.userId,
    sid: subject.sessionId,
    iat,
    nbf: iat - template.clockSkewSeconds,
    exp,
  };
  if (subject.actorId) payload.act = { sub: subject.actorId };
  return { payload, exp };
}

/**
 * Mints a token from the template named `templateName` for an active session
 * (S9): `getToken({ template })` in the browser, and the backend API. The
 * session must be active (not ended, expired, idle past the timeout, or its
 * user banned), else `session_invalid`; an unknown template is `not_found`.
 * `issuer`: the request's instance origin when there is a request (as
 * `mintSessionToken` gets it), else AUTH_URL's.
 */
export async function mintTemplateToken(input: {
  templateName: string;
  sessionId: string;
  issuer?: string;
  now?: Date;
}): Promise<{ jwt: string; expiresAt: number }> {
  const now = input.now ?? new Date();
  const issuer = input.issuer ?? instanceIssuer();
  const [row, settings] = await Promise.all([readForMint(input.templateName, input.sessionId), getInstanceSettings()]);
  if (!row.templateId) throw new AppError("not_found", `No JWT template named "${input.templateName}".`);
  const idleLimit = settings.inactivityTimeoutMinutes;
  if (
    !row.sessionId ||
    !row.userId ||
    row.status !== "active" ||
    row.banned ||
    row.expiresAt! <= now ||
    (idleLimit !== null && now.getTime() - row.lastActiveAt!.getTime() > idleLimit * 60_000)
  ) {
    throw new AppError("session_invalid", SESSION_INVALID);
  }

  const kind = signingKindOf(row);
  const context = claimsContext({ ...row, userId: row.userId, role: row.role! }, { id: row.sessionId, actorId: row.actorId }, issuer);
  const rendered = renderClaims(row.claims ?? {}, context);
  const iat = Math.floor(now.getTime() / 1000);
  const { payload, exp } = buildPayload(
    { kind, lifetimeSeconds: row.lifetimeSeconds, clockSkewSeconds: row.clockSkewSeconds, serviceAccountEmail: row.serviceAccountEmail },
    rendered,
    { userId: row.userId, sessionId: row.sessionId, actorId: row.actorId },
    issuer,
    iat,
  );

  let header: JWTHeaderParameters;
  let key: CryptoKey;
  if (kind === "instance") {
    const active = await getActiveSigningKey();
    header = { alg: "ES256", kid: active.kid, typ: "JWT" };
    key = active.privateKey;
  } else {
    header = { alg: row.algorithm, typ: "JWT", ...(row.keyId ? { kid: row.keyId } : {}) };
    key = await customSigningKey({ id: row.templateId, algorithm: row.algorithm, secretEncrypted: row.secretEncrypted, updatedAt: row.updatedAt });
  }
  const jwt = await new SignJWT(payload).setProtectedHeader(header).sign(key);
  return { jwt, expiresAt: exp };
}

export type TemplatePreview = {
  /** The template's claims rendered for the user. */
  claims: JsonObject;
  /** The whole payload a token would carry (standard claims included). */
  payload: JsonObject;
};

/**
 * Renders claims as typed (not saved) for one user: the admin's live preview.
 * The same checks as a save (errors under `claims`, with the JSON path). The
 * session shortcodes read the user's most recent active session, if any.
 */
export async function previewTemplate(input: JwtTemplatePreviewInput, options: { issuer: string; now?: Date }): Promise<TemplatePreview> {
  const result = jwtTemplatePreviewInput.safeParse(input);
  if (!result.success) {
    const fields: Record<string, string[]> = Object.create(null);
    for (const issue of result.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
    throw new AppError("validation_failed", "The preview input is not valid.", { fields });
  }
  const parsed = result.data;
  const firebase = parsed.signing === "firebase";
  const checked = firebase
    ? checkClaimsText(parsed.claims, { reserved: FIREBASE_RESERVED_CLAIMS, reservedReason: "Firebase refuses it in a custom token's claims" })
    : checkClaimsText(parsed.claims);
  if (!checked.ok) throw new AppError("validation_failed", "The claims are not valid.", { fields: { claims: checked.errors } });

  const user = await db.user.findUnique({
    where: { id: parsed.userId },
    select: {
      id: true,
      role: true,
      firstName: true,
      lastName: true,
      username: true,
      imageUrl: true,
      publicMetadata: true,
      emailAddresses: { select: { id: true, email: true, verified: true } },
      primaryEmailAddressId: true,
      sessions: { where: { status: "active" }, orderBy: { lastActiveAt: "desc" }, take: 1, select: { id: true, actorId: true } },
    },
  });
  if (!user) throw new AppError("not_found", "No such user.", { fields: { userId: ["No user has this id."] } });
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId) ?? null;
  const session = user.sessions[0] ?? null;
  const context = claimsContext(
    { ...user, userId: user.id, publicMetadata: user.publicMetadata as JsonValue, email: primary?.email ?? null, emailVerified: primary?.verified ?? false },
    { id: session?.id ?? null, actorId: session?.actorId ?? null },
    options.issuer,
  );
  const claims = renderClaims(checked.claims, context);
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { payload } = buildPayload(
    {
      kind: parsed.signing,
      lifetimeSeconds: parsed.lifetimeSeconds,
      clockSkewSeconds: parsed.clockSkewSeconds,
      serviceAccountEmail: "service-account@your-project.iam.gserviceaccount.com",
    },
    claims,
    { userId: user.id, sessionId: session?.id ?? "sess_preview", actorId: session?.actorId ?? null },
    options.issuer,
    iat,
  );
  return { claims, payload };
}
