import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { hasPreviousAuthSecret, resealSecret, type SecretPurpose } from "@/lib/crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readInstanceSettings, updateInstanceSettings } from "@/lib/settings";

/**
 * The last step of an AUTH_SECRET rotation (docs/security.md): every secret the
 * portal stores sealed (signing keys, TOTP seeds, JWT template secrets, webhook
 * secrets, OAuth client secrets in the settings) is opened with whichever of
 * AUTH_SECRET and AUTH_SECRET_PREVIOUS opens it and sealed again under
 * AUTH_SECRET, so that AUTH_SECRET_PREVIOUS can be removed. Idempotent: what is
 * already under AUTH_SECRET is left as it is. Each row is written only if it
 * still holds the ciphertext that was read, so an admin's change made meanwhile
 * is never overwritten (it was sealed under AUTH_SECRET anyway).
 */
export type ResealKind = "signingKeys" | "totpSeeds" | "jwtTemplateSecrets" | "webhookSecrets" | "oauthClientSecrets";

export type ResealTally = {
  /** Were under AUTH_SECRET_PREVIOUS; now under AUTH_SECRET. */
  resealed: number;
  /** Already under AUTH_SECRET. */
  current: number;
  /** Opened by neither secret: these stay unusable (each is named so an admin can replace it). */
  unreadable: string[];
};

export type ResealSummary = Record<ResealKind, ResealTally> & {
  /** Backup codes are keyed hashes and cannot be moved: they need AUTH_SECRET_PREVIOUS until replaced. */
  usersWithBackupCodes: number;
};

const PAGE = 500;

type SealedColumn = { id: string; sealed: string; purpose: SecretPurpose; label: string };

/** Reseals one column's values; `write` stores the new ciphertext only where the old one is still in place. */
async function resealColumn(rows: SealedColumn[], tally: ResealTally, write: (row: SealedColumn, resealed: string) => Promise<boolean>): Promise<void> {
  for (const row of rows) {
    let resealed: string | null;
    try {
      resealed = resealSecret(row.sealed, row.purpose);
    } catch {
      tally.unreadable.push(row.label);
      continue;
    }
    if (resealed === null) tally.current++;
    else if (await write(row, resealed)) tally.resealed++;
    else tally.current++; // changed meanwhile, so sealed under AUTH_SECRET by whoever changed it
  }
}

/** Pages through a table by id, so a million TOTP factors never sit in memory at once. */
async function forEachPage<T extends { id: string }>(read: (after: string | undefined) => Promise<T[]>, each: (rows: T[]) => Promise<void>): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const rows = await read(after);
    if (rows.length === 0) return;
    await each(rows);
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.id;
  }
}

const PAGE_ORDER = { take: PAGE, orderBy: { id: "asc" as const } };
const afterId = (after: string | undefined) => (after ? { id: { gt: after } } : {});

export async function resealSecrets(actor: { actorId: string | null; ip?: string | null; userAgent?: string | null }): Promise<ResealSummary> {
  if (!hasPreviousAuthSecret()) {
    throw new AppError(
      "validation_failed",
      "AUTH_SECRET_PREVIOUS is not set. Set it to the secret AUTH_SECRET replaced, with the new AUTH_SECRET, and run this again (docs/security.md).",
    );
  }
  const tally = (): ResealTally => ({ resealed: 0, current: 0, unreadable: [] });
  const summary: ResealSummary = {
    signingKeys: tally(),
    totpSeeds: tally(),
    jwtTemplateSecrets: tally(),
    webhookSecrets: tally(),
    oauthClientSecrets: tally(),
    usersWithBackupCodes: 0,
  };

  await forEachPage(
    (after) => db.signingKey.findMany({ ...PAGE_ORDER, where: afterId(after), select: { id: true, privateJwkEncrypted: true } }),
    (rows) =>
      resealColumn(
        rows.map((row) => ({ id: row.id, sealed: row.privateJwkEncrypted, purpose: "signing-key", label: `signing key ${row.id}` })),
        summary.signingKeys,
        async (row, resealed) => (await db.signingKey.updateMany({ where: { id: row.id, privateJwkEncrypted: row.sealed }, data: { privateJwkEncrypted: resealed } })).count === 1,
      ),
  );

  await forEachPage(
    (after) => db.mfaFactor.findMany({ ...PAGE_ORDER, where: { secretEncrypted: { not: null }, ...afterId(after) }, select: { id: true, userId: true, secretEncrypted: true } }),
    (rows) =>
      resealColumn(
        rows.map((row) => ({ id: row.id, sealed: row.secretEncrypted!, purpose: "totp-secret", label: `authenticator app ${row.id} of user ${row.userId}` })),
        summary.totpSeeds,
        async (row, resealed) => (await db.mfaFactor.updateMany({ where: { id: row.id, secretEncrypted: row.sealed }, data: { secretEncrypted: resealed } })).count === 1,
      ),
  );

  await forEachPage(
    (after) => db.jwtTemplate.findMany({ ...PAGE_ORDER, where: { secretEncrypted: { not: null }, ...afterId(after) }, select: { id: true, name: true, secretEncrypted: true } }),
    (rows) =>
      resealColumn(
        rows.map((row) => ({ id: row.id, sealed: row.secretEncrypted!, purpose: "jwt-template-secret", label: `JWT template "${row.name}"` })),
        summary.jwtTemplateSecrets,
        async (row, resealed) => (await db.jwtTemplate.updateMany({ where: { id: row.id, secretEncrypted: row.sealed }, data: { secretEncrypted: resealed } })).count === 1,
      ),
  );

  await forEachPage(
    (after) => db.webhookEndpoint.findMany({ ...PAGE_ORDER, where: afterId(after), select: { id: true, url: true, secretEncrypted: true, previousSecretEncrypted: true } }),
    async (rows) => {
      const column = (row: (typeof rows)[number], which: "secretEncrypted" | "previousSecretEncrypted", sealed: string): SealedColumn & { which: typeof which } => ({
        id: row.id,
        sealed,
        purpose: "webhook-secret",
        label: `webhook ${row.url}${which === "previousSecretEncrypted" ? " (its previous secret, still valid after a roll)" : ""}`,
        which,
      });
      const columns = rows.flatMap((row) => [
        column(row, "secretEncrypted", row.secretEncrypted),
        ...(row.previousSecretEncrypted ? [column(row, "previousSecretEncrypted", row.previousSecretEncrypted)] : []),
      ]);
      await resealColumn(columns, summary.webhookSecrets, async (row, resealed) => {
        const which = (row as (typeof columns)[number]).which;
        return (await db.webhookEndpoint.updateMany({ where: { id: row.id, [which]: row.sealed }, data: { [which]: resealed } })).count === 1;
      });
    },
  );

  // OAuth client secrets live in the settings document: one write, through the settings module
  // (versioned, audited, caches told), and refused if an admin saved the settings meanwhile.
  const { settings, version } = await readInstanceSettings();
  const providers = { ...settings.oauthProviders };
  await resealColumn(
    Object.entries(settings.oauthProviders).flatMap(([id, stored]) =>
      stored.clientSecretEncrypted ? [{ id, sealed: stored.clientSecretEncrypted, purpose: "oauth-client-secret" as const, label: `OAuth provider "${id}"` }] : [],
    ),
    summary.oauthClientSecrets,
    async (row, resealed) => {
      providers[row.id] = { ...providers[row.id]!, clientSecretEncrypted: resealed };
      return true;
    },
  );
  if (summary.oauthClientSecrets.resealed > 0) {
    await updateInstanceSettings({ oauthProviders: providers }, { expectedVersion: version, actorId: actor.actorId, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null });
  }

  summary.usersWithBackupCodes = await db.user.count({ where: { backupCodesEnabled: true } });
  const counts = Object.fromEntries(
    (["signingKeys", "totpSeeds", "jwtTemplateSecrets", "webhookSecrets", "oauthClientSecrets"] as const).map((kind) => [
      kind,
      { resealed: summary[kind].resealed, current: summary[kind].current, unreadable: summary[kind].unreadable.length },
    ]),
  );
  await recordAuditEvent({ type: "secrets.resealed", actorId: actor.actorId, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, data: counts });
  return summary;
}
