import "server-only";
import type { Tx } from "@/lib/db";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";

/** Audit event types (S8). Append-only: rows are never updated or deleted by the app. */
export type AuditEventType =
  | "user.created"
  /** Profile, avatar or unsafe metadata changed by the user (S7); `data.fields` names what changed. */
  | "user.updated"
  | "sign_in.succeeded"
  | "sign_in.failed"
  | "sign_out"
  | "sign_out.everywhere"
  | "session.revoked"
  | "session.switched"
  | "user.locked"
  | "user.unlocked"
  /** Admin actions (S8): ban ends every session; metadata edits name the fields in `data.fields`. */
  | "user.banned"
  | "user.unbanned"
  | "user.metadata_updated"
  | "user.role_changed"
  | "password.rehashed"
  | "signing_key.rotated"
  /** An AUTH_SECRET rotation's last step (docs/security.md): `data` counts what was resealed per kind. */
  | "secrets.resealed"
  | "password.reset"
  | "email.verified"
  | "verification.failed"
  | "settings.updated"
  /** Branding (S8): the instance logo uploaded (replaced) or removed by an admin. */
  | "branding.logo_updated"
  | "branding.logo_removed"
  /** Someone who received a sign-in/sign-up email said "this wasn't me": the attempt is void. */
  | "attempt.denied"
  | "mfa.enrolled"
  | "mfa.disabled"
  | "mfa.reset"
  /** Security keys (issue 19): a key renamed; a key whose signature counter did not grow (a clone) was refused. */
  | "mfa.renamed"
  | "security_key.counter_regression"
  | "backup_code.used"
  | "backup_codes.regenerated"
  | "second_factor.failed"
  | "session.reverified"
  | "password.changed"
  | "phone.verified"
  /** Phone numbers as an identifier (issue 19): added on the account page, removed, made primary. */
  | "phone.added"
  | "phone.removed"
  | "phone.primary_changed"
  | "external_account.linked"
  | "external_account.unlinked"
  /** Passkeys (S7): added or removed by the user; a signature counter that did not grow (a cloned authenticator) was refused. */
  | "passkey.added"
  | "passkey.removed"
  | "passkey.counter_regression"
  /** Account page (S7): email addresses, devices, deletion. */
  | "email.added"
  | "email.removed"
  | "email.primary_changed"
  | "sign_out.others"
  | "user.deleted"
  /** Sign-up by invitation (S8): an admin invited or withdrew an address; a sign-up used its invitation. */
  | "invitation.created"
  | "invitation.revoked"
  | "invitation.accepted"
  /** An admin opened an actor session as a user (S8); `data.sessionId`, `data.expiresAt`. */
  | "impersonation.started"
  /** It ended: stopped, signed out, expired or ended under it; `data.reason`. */
  | "impersonation.stopped"
  /** Backend API secret keys (S9): made or revoked by an admin; `data.name`, `data.prefix`. */
  | "api_key.created"
  | "api_key.revoked"
  /** Actor tokens (S9): an impersonation link made or revoked through the backend API; `data.actorId`. */
  | "actor_token.created"
  | "actor_token.revoked"
  /** JWT templates (S9) created, changed or deleted by an admin; `data.name`, `data.algorithm`. */
  | "jwt_template.created"
  | "jwt_template.updated"
  | "jwt_template.deleted"
  /** Webhook endpoints (S9) changed by an admin; `data.fields` names what an update changed. */
  | "webhook.endpoint_created"
  | "webhook.endpoint_updated"
  | "webhook.endpoint_deleted"
  | "webhook.secret_rotated"
  /** The webhook circuit paused an endpoint that had failed every delivery for days (lib/webhooks/channel.ts). */
  | "webhook.endpoint_paused"
  /**
   * Bot protection (S10) refused a request: `data.reason` (challenge_missing, challenge_invalid,
   * challenge_expired, challenge_replayed, honeypot, disposable_email), `data.action` (sign_up, sign_in, ...).
   */
  | "bot.refused";

export type AuditEventInput = {
  type: AuditEventType;
  actorId?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  data?: Record<string, unknown>;
};

function auditRow(event: AuditEventInput) {
  return {
    id: newId("audit"),
    type: event.type,
    actorId: event.actorId ?? null,
    targetId: event.targetId ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent?.slice(0, 512) ?? null,
    data: (event.data ?? {}) as object,
  };
}

/** Records an audit event; pass `tx` to write it in the same transaction as the action. */
export async function recordAuditEvent(event: AuditEventInput, tx: Tx = db): Promise<void> {
  await tx.auditEvent.create({ data: auditRow(event) });
}

/** Records several audit events with one statement (a batch of accounts made at once, lib/users createUsers). */
export async function recordAuditEvents(events: AuditEventInput[], tx: Tx = db): Promise<void> {
  if (events.length > 0) await tx.auditEvent.createMany({ data: events.map(auditRow) });
}
