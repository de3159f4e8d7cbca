import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { findAccountByEmail } from "@/lib/users";
import { emitUserUpdated } from "@/lib/webhooks/events";

/**
 * Makes the owner of `email` an admin (S8: the first admin comes from
 * ADMIN_EMAILS or the CLI, never a default password). Audited; takes effect
 * in the user's next session token, within one token lifetime.
 */
export async function promoteToAdmin(
  email: string,
  options: { actorId: string | null; via?: string },
): Promise<{ userId: string; wasAdmin: boolean }> {
  const account = await findAccountByEmail(email, { allowUnverifiedPrimary: true });
  if (!account) throw new AppError("not_found", `No user has the email address ${email}.`);
  const { user } = account;
  return db.$transaction(async (tx) => {
    if (user.role !== "admin") await tx.user.update({ where: { id: user.id }, data: { role: "admin" } });
    await recordAuditEvent(
      { type: "user.role_changed", actorId: options.actorId, targetId: user.id, data: { role: "admin", from: user.role, via: options.via ?? null } },
      tx,
    );
    if (user.role !== "admin") await emitUserUpdated(tx, user.id);
    return { userId: user.id, wasAdmin: user.role === "admin" };
  });
}

/** The user id behind an email address, for admin tools that take an email. */
export async function findUserIdByEmail(email: string): Promise<string> {
  const account = await findAccountByEmail(email, { allowUnverifiedPrimary: true });
  if (!account) throw new AppError("not_found", `No user has the email address ${email}.`);
  return account.user.id;
}
