import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { promoteToAdmin } from "@/lib/admin";
import { passwordUser } from "@/security/helpers";
import { currentAdmins, describeAdmins, pendingMigrations } from "./db.mjs";

/** The start-up banner's facts (scripts/run.mjs), read from this test file's own database. */
describe("start-up helpers", () => {
  it("knows every committed migration is applied (so `npm run dev` skips the slow CLI), and which are not", async () => {
    expect(await pendingMigrations(process.env.DATABASE_URL)).toEqual([]);
    const [latest] = await db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`;
    await db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = ${latest!.migration_name}`;
    try {
      expect(await pendingMigrations(process.env.DATABASE_URL)).toEqual([latest!.migration_name]);
    } finally {
      await db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = ${latest!.migration_name}`;
    }
  });

  it("shows the admins in the database, e.g. right after `npm run admin -- promote`", async () => {
    const before = await currentAdmins(process.env.DATABASE_URL);
    const { email } = await passwordUser();
    await promoteToAdmin(email, { actorId: null, via: "cli" });
    const after = await currentAdmins(process.env.DATABASE_URL);
    expect(after).toEqual([...(before ?? []), email]);
    expect(describeAdmins(after, "")).toContain(email);
    expect(describeAdmins([], "")).toMatch(/none yet: set ADMIN_EMAILS=.* or run npm run admin -- promote/);
    expect(describeAdmins([], "boss@example.com")).toBe("none yet (ADMIN_EMAILS: boss@example.com)");
  });
});
