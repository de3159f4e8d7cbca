import type { APIRequestContext } from "@playwright/test";
import { queryDb } from "./db";
import { createUserViaApi } from "./flows";
import type { TestUser } from "./users";

/**
 * A fresh admin for one spec: a verified user made through the API and
 * promoted in the DB (what `npm run admin -- promote` does), so parallel specs
 * never share one. Sign in AFTER this: the token's role comes from the sign-in.
 */
export async function createAdmin(request: APIRequestContext, label = "admin"): Promise<TestUser & { id: string }> {
  const user = await createUserViaApi(request, label);
  const rows = await queryDb<{ id: string }>(
    `UPDATE "User" SET role = 'admin' WHERE id = (SELECT "userId" FROM "EmailAddress" WHERE "emailNormalized" = $1) RETURNING id`,
    [user.email],
  );
  return { ...user, id: rows[0]!.id };
}

export async function userIdByEmail(email: string): Promise<string> {
  const rows = await queryDb<{ userId: string }>(`SELECT "userId" FROM "EmailAddress" WHERE "emailNormalized" = $1`, [email.toLowerCase()]);
  return rows[0]!.userId;
}
