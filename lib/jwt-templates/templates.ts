import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { AppError, type FieldErrors } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { FIREBASE_RESERVED_CLAIMS, checkClaimsText, type JsonObject } from "./claims";
import { jwtTemplateInput, type JwtTemplateInput, type ParsedJwtTemplateInput } from "./input";
import { FIREBASE_MAX_LIFETIME_SECONDS, isPresetId, type PresetId, type SigningKind } from "./presets";
import { carriesSecret, forgetCustomSigningKey, prepareSigning, signingKindOf, type Algorithm, type StoredSigning } from "./signing";

/** A template as the admin console shows it: never a secret, only whether one is stored. */
export type JwtTemplateView = {
  id: string;
  name: string;
  lifetimeSeconds: number;
  clockSkewSeconds: number;
  claims: JsonObject;
  signing: {
    kind: SigningKind;
    algorithm: Algorithm;
    hasSecret: boolean;
    keyId: string | null;
    serviceAccountEmail: string | null;
  };
  preset: PresetId | null;
  createdAt: Date;
  updatedAt: Date;
};

type Actor = { actorId: string | null; ip?: string | null; userAgent?: string | null };

const VIEW_SELECT = {
  id: true,
  name: true,
  lifetimeSeconds: true,
  clockSkewSeconds: true,
  claims: true,
  algorithm: true,
  secretEncrypted: true,
  keyId: true,
  serviceAccountEmail: true,
  preset: true,
  createdAt: true,
  updatedAt: true,
} as const;

type TemplateRow = Prisma.JwtTemplateGetPayload<{ select: typeof VIEW_SELECT }>;

function toView(row: TemplateRow): JwtTemplateView {
  return {
    id: row.id,
    name: row.name,
    lifetimeSeconds: row.lifetimeSeconds,
    clockSkewSeconds: row.clockSkewSeconds,
    claims: (row.claims ?? {}) as JsonObject,
    signing: {
      kind: signingKindOf(row),
      algorithm: row.algorithm as Algorithm,
      hasSecret: row.secretEncrypted !== null,
      keyId: row.keyId,
      serviceAccountEmail: row.serviceAccountEmail,
    },
    preset: isPresetId(row.preset) ? row.preset : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function fieldErrors(issues: z.core.$ZodIssue[]): FieldErrors {
  const fields: FieldErrors = Object.create(null);
  for (const issue of issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
  return fields;
}

/** Checks everything a save needs to be right; all problems at once, each under its field. */
function validate(input: JwtTemplateInput): { parsed: ParsedJwtTemplateInput; claims: JsonObject } {
  const result = jwtTemplateInput.safeParse(input);
  if (!result.success) throw new AppError("validation_failed", "Some template fields are invalid.", { fields: fieldErrors(result.error.issues) });
  const parsed = result.data;
  const fields: FieldErrors = Object.create(null);
  const firebase = parsed.signing.kind === "firebase";
  const checked = firebase
    ? checkClaimsText(parsed.claims, { reserved: FIREBASE_RESERVED_CLAIMS, reservedReason: "Firebase refuses it in a custom token's claims" })
    : checkClaimsText(parsed.claims);
  if (!checked.ok) fields.claims = checked.errors;
  if (firebase && parsed.lifetimeSeconds > FIREBASE_MAX_LIFETIME_SECONDS) {
    fields.lifetimeSeconds = ["Firebase custom tokens live at most 1 hour (3600 seconds)."];
  }
  if (Object.keys(fields).length > 0) throw new AppError("validation_failed", "Some template fields are invalid.", { fields });
  return { parsed, claims: (checked as { claims: JsonObject }).claims };
}

function nameTaken(): AppError {
  const message = "A template with this name already exists.";
  return new AppError("conflict", message, { fields: { name: [message] } });
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

export async function listJwtTemplates(): Promise<JwtTemplateView[]> {
  const rows = await db.jwtTemplate.findMany({ select: VIEW_SELECT, orderBy: { name: "asc" } });
  return rows.map(toView);
}

export async function getJwtTemplate(id: string): Promise<JwtTemplateView | null> {
  const row = await db.jwtTemplate.findUnique({ where: { id }, select: VIEW_SELECT });
  return row ? toView(row) : null;
}

/** Creates a template (S9); refused with field errors when anything is wrong. Audited. */
export async function createJwtTemplate(input: JwtTemplateInput, actor: Actor): Promise<JwtTemplateView> {
  const { parsed, claims } = validate(input);
  const signing = prepareSigning(parsed.signing, null);
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.jwtTemplate.create({
        data: {
          id: newId("jwtTemplate"),
          name: parsed.name,
          lifetimeSeconds: parsed.lifetimeSeconds,
          clockSkewSeconds: parsed.clockSkewSeconds,
          claims,
          preset: parsed.preset ?? null,
          ...signing,
        },
        select: VIEW_SELECT,
      });
      await recordAuditEvent(
        { type: "jwt_template.created", ...actor, targetId: created.id, data: { name: created.name, algorithm: created.algorithm, preset: created.preset } },
        tx,
      );
      return created;
    });
    return toView(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/**
 * Replaces a template's settings. Key material left out stays as stored
 * (when the signing kind is unchanged); new material replaces it.
 */
export async function updateJwtTemplate(id: string, input: JwtTemplateInput, actor: Actor): Promise<JwtTemplateView> {
  const { parsed, claims } = validate(input);
  const existing = await db.jwtTemplate.findUnique({ where: { id }, select: VIEW_SELECT });
  if (!existing) throw new AppError("not_found", "No such JWT template.");
  const stored: StoredSigning = {
    algorithm: existing.algorithm as Algorithm,
    secretEncrypted: existing.secretEncrypted,
    keyId: existing.keyId,
    serviceAccountEmail: existing.serviceAccountEmail,
  };
  const signing = prepareSigning(parsed.signing, stored);
  try {
    const row = await db.$transaction(async (tx) => {
      const updated = await tx.jwtTemplate.update({
        where: { id },
        data: {
          name: parsed.name,
          lifetimeSeconds: parsed.lifetimeSeconds,
          clockSkewSeconds: parsed.clockSkewSeconds,
          claims,
          ...(parsed.preset !== undefined ? { preset: parsed.preset } : {}),
          ...signing,
        },
        select: VIEW_SELECT,
      });
      await recordAuditEvent(
        {
          type: "jwt_template.updated",
          ...actor,
          targetId: id,
          data: { name: updated.name, algorithm: updated.algorithm, keyChanged: carriesSecret(parsed.signing) || signing.algorithm !== stored.algorithm },
        },
        tx,
      );
      return updated;
    });
    forgetCustomSigningKey(id);
    return toView(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/** Deletes a template: tokens already minted stay valid until they expire; no new ones. Audited. */
export async function deleteJwtTemplate(id: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.jwtTemplate.findUnique({ where: { id }, select: { name: true } });
    if (!row) throw new AppError("not_found", "No such JWT template.");
    await tx.jwtTemplate.delete({ where: { id } });
    await recordAuditEvent({ type: "jwt_template.deleted", ...actor, targetId: id, data: { name: row.name } }, tx);
  });
  forgetCustomSigningKey(id);
}
