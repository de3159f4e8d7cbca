import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { signedUpUser } from "@/test/fixtures";
import { getAdminUserDetail, planUserSearch, searchUsers, type UserSearchInput, type UserSort } from "./users";

type NewUser = {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  createdAt?: Date;
  lastSignInAt?: Date | null;
  banned?: boolean;
  lockedUntil?: Date | null;
  mfaEnabled?: boolean;
};

const tag = () => Math.random().toString(36).slice(2, 8);

/** A user row with a verified primary address, written directly (hundreds are needed). */
async function makeUser(fields: NewUser = {}): Promise<string> {
  const id = newId("user");
  const emailId = newId("identification");
  const email = fields.email ?? `u-${tag()}@example.com`;
  await db.user.create({
    data: {
      id,
      firstName: fields.firstName ?? null,
      lastName: fields.lastName ?? null,
      username: fields.username ?? null,
      createdAt: fields.createdAt,
      lastSignInAt: fields.lastSignInAt ?? null,
      banned: fields.banned ?? false,
      lockedUntil: fields.lockedUntil ?? null,
      mfaEnabled: fields.mfaEnabled ?? false,
      primaryEmailAddressId: emailId,
      emailAddresses: { create: { id: emailId, email, emailNormalized: email.toLowerCase(), verified: true } },
    },
  });
  return id;
}

const ids = async (input: UserSearchInput) => (await searchUsers(input)).users.map((user) => user.id);

/** Every page of `input`, following nextCursor. */
async function walk(input: UserSearchInput): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result = await searchUsers({ ...input, cursor });
    seen.push(...result.users.map((user) => user.id));
    cursor = result.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error("pagination did not end");
}

describe("searchUsers: search", () => {
  it("finds users by a case-insensitive prefix of email, first, last or full name, username, and by id prefix", async () => {
    const t = tag();
    const alice = await makeUser({ email: `Alice.${t}@Example.com`, firstName: `Ali${t}ce`, lastName: `Smith${t}`, username: `ace_${t}` });
    const bob = await makeUser({ email: `bob.${t}@example.com`, firstName: "Bob", lastName: `Jones${t}` });

    expect(await ids({ query: `alice.${t}` })).toEqual([alice]);
    expect(await ids({ query: `ALICE.${t}@EXAMPLE` })).toEqual([alice]);
    expect(await ids({ query: `ali${t}` })).toEqual([alice]); // first name
    expect(await ids({ query: `smith${t}` })).toEqual([alice]); // last name
    expect(await ids({ query: `  Ali${t}ce   SMITH${t.slice(0, 3)} ` })).toEqual([alice]); // "first last", spaces collapsed
    expect(await ids({ query: `ACE_${t}` })).toEqual([alice]); // username
    expect(await ids({ query: `jones${t}` })).toEqual([bob]);
    expect(await ids({ query: alice.slice(0, -1) })).toEqual([alice]); // id prefix
    expect(await ids({ query: alice })).toEqual([alice]);
    expect(await ids({ query: alice.toLowerCase() })).not.toContain(alice); // ids are case-sensitive
    expect(await ids({ query: `nobody-${t}` })).toEqual([]);
  });

  it("matches any of the user's addresses, and each user once", async () => {
    const t = tag();
    const id = await makeUser({ email: `first-${t}@example.com`, firstName: `first-${t}` });
    await db.emailAddress.create({ data: { id: newId("identification"), userId: id, email: `first-${t}-work@example.com`, emailNormalized: `first-${t}-work@example.com` } });
    const result = await searchUsers({ query: `first-${t}` });
    expect(result.users.map((user) => user.id)).toEqual([id]);
    expect(result.users[0]).toMatchObject({ email: `first-${t}@example.com`, emailVerified: true });
  });

  it("takes %, _ and \\ in the query literally", async () => {
    const t = tag();
    const underscore = await makeUser({ email: `a_${t}@example.com` });
    const other = await makeUser({ email: `ab${t}@example.com` });
    expect(await ids({ query: `a_${t}` })).toEqual([underscore]);
    expect(await ids({ query: "%" })).toEqual([]);
    expect(await ids({ query: "\\" })).toEqual([]);
    expect(await ids({ query: `ab${t}` })).toEqual([other]);
  });

  it("refuses a query over 200 characters and a cursor it did not make", async () => {
    await expect(searchUsers({ query: "x".repeat(201) })).rejects.toMatchObject({ code: "validation_failed", fields: { query: expect.any(Array) } });
    await expect(searchUsers({ cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "validation_failed", fields: { cursor: expect.any(Array) } });
    const { nextCursor } = await searchUsers({ limit: 1 });
    if (nextCursor) {
      // A cursor of one sort order is refused by another (it would skip or repeat rows).
      await expect(searchUsers({ cursor: nextCursor, sort: "created_asc" })).rejects.toMatchObject({ code: "validation_failed" });
    }
  });
});

describe("searchUsers: filters", () => {
  it("filters by banned, locked (now), MFA and the created range, alone and with a search", async () => {
    const t = tag();
    const day = (n: number) => new Date(Date.UTC(2025, 0, n));
    const now = Date.now();
    const plain = await makeUser({ email: `f-${t}-plain@example.com`, createdAt: day(1) });
    const banned = await makeUser({ email: `f-${t}-banned@example.com`, banned: true, createdAt: day(2) });
    const locked = await makeUser({ email: `f-${t}-locked@example.com`, lockedUntil: new Date(now + 3_600_000), createdAt: day(3) });
    const lockExpired = await makeUser({ email: `f-${t}-expired@example.com`, lockedUntil: new Date(now - 1000), createdAt: day(4) });
    const mfa = await makeUser({ email: `f-${t}-mfa@example.com`, mfaEnabled: true, createdAt: day(5) });
    const query = `f-${t}`;
    const sorted = (list: string[]) => [...list].sort();

    expect(await ids({ query, banned: true })).toEqual([banned]);
    expect(sorted(await ids({ query, banned: false }))).toEqual(sorted([plain, locked, lockExpired, mfa]));
    expect(await ids({ query, locked: true })).toEqual([locked]);
    expect(sorted(await ids({ query, locked: false }))).toEqual(sorted([plain, banned, lockExpired, mfa]));
    expect(await ids({ query, mfa: true })).toEqual([mfa]);
    expect(await ids({ query, mfa: false, banned: false, locked: false })).toEqual([lockExpired, plain]);
    // From inclusive, to exclusive.
    expect(await ids({ query, createdFrom: day(2), createdTo: day(4) })).toEqual([locked, banned]);
    expect(await ids({ query, createdFrom: day(2), createdTo: day(4), sort: "created_asc" })).toEqual([banned, locked]);
    // Without a search: the filters alone (other users of this file are not banned in this range).
    expect(await ids({ banned: true, createdFrom: day(1), createdTo: day(6) })).toEqual([banned]);
    expect(await ids({ mfa: true, createdFrom: day(1), createdTo: day(6) })).toEqual([mfa]);
  });
});

describe("searchUsers: keyset pagination", () => {
  it("walks every user exactly once, in order, in each sort, with ties and never-signed-in users", async () => {
    const t = tag();
    const base = Date.UTC(2024, 5, 1);
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      created.push(
        await makeUser({
          email: `walk-${t}-${i}@example.com`,
          // Ties: three users share each creation time; a third never signed in, the others tie too.
          createdAt: new Date(base + Math.floor(i / 3) * 1000),
          lastSignInAt: i % 3 === 0 ? null : new Date(base + (i % 4) * 60_000),
        }),
      );
    }
    const rows = await db.user.findMany({ where: { id: { in: created } }, select: { id: true, createdAt: true, lastSignInAt: true } });
    const compare = (a: [number, string], b: [number, string]) => (a[0] - b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    const expected: Record<UserSort, string[]> = {
      created_desc: [...rows].sort((a, b) => compare([b.createdAt.getTime(), b.id], [a.createdAt.getTime(), a.id])).map((row) => row.id),
      created_asc: [...rows].sort((a, b) => compare([a.createdAt.getTime(), a.id], [b.createdAt.getTime(), b.id])).map((row) => row.id),
      last_sign_in_desc: [...rows]
        .sort((a, b) => compare([b.lastSignInAt?.getTime() ?? -Infinity, b.id], [a.lastSignInAt?.getTime() ?? -Infinity, a.id]))
        .map((row) => row.id),
    };
    for (const sort of ["created_desc", "created_asc", "last_sign_in_desc"] as const) {
      for (const limit of [1, 4, 7, 23, 100]) {
        expect(await walk({ query: `walk-${t}`, sort, limit }), `${sort} by ${limit}`).toEqual(expected[sort]);
      }
    }
  });

  it("walks the whole list without a search the same way", async () => {
    await makeUser();
    const all = await db.user.findMany({ select: { id: true } });
    for (const sort of ["created_desc", "created_asc", "last_sign_in_desc"] as const) {
      const seen = await walk({ sort, limit: 9 });
      expect(seen).toHaveLength(all.length);
      expect(new Set(seen).size).toBe(all.length);
    }
  });

  it("a search matching over a thousand users walks the sort order instead, with the same pages", async () => {
    const t = tag();
    const base = Date.UTC(2023, 0, 1);
    const userRows = Array.from({ length: 1_050 }, (_, i) => ({ id: newId("user"), emailId: newId("identification"), i }));
    await db.user.createMany({
      data: userRows.map((row) => ({ id: row.id, firstName: `Dense${t}`, createdAt: new Date(base + (row.i % 40) * 1000), primaryEmailAddressId: row.emailId })),
    });
    await db.emailAddress.createMany({
      data: userRows.map((row) => ({ id: row.emailId, userId: row.id, email: `dense-${t}-${row.i}@example.com`, emailNormalized: `dense-${t}-${row.i}@example.com`, verified: true })),
    });
    for (const query of [`dense${t}`, `dense-${t}`]) {
      const plan = planUserSearch({ query, limit: 100 });
      const [counted] = await db.$queryRaw<{ n: number }[]>(plan.countSql!);
      expect(counted!.n).toBe(1000); // capped: enough to choose the scan
      const seen = await walk({ query, limit: 100 });
      expect(seen).toHaveLength(1_050);
      expect(new Set(seen)).toEqual(new Set(userRows.map((row) => row.id)));
      // Both ways find the same page.
      const byMatches = await db.$queryRaw<{ id: string }[]>(plan.pageSql("matches"));
      const byScan = await db.$queryRaw<{ id: string }[]>(plan.pageSql("scan"));
      expect(byScan.map((row) => row.id)).toEqual(byMatches.map((row) => row.id));
    }
  });

  it("caps the page size at 100", async () => {
    expect((await searchUsers({ limit: 1000 })).users.length).toBeLessThanOrEqual(100);
    expect((await searchUsers({ limit: 0 })).users.length).toBeLessThanOrEqual(1);
  });
});

describe("searchUsers: every query on an index", () => {
  it("has a plan without a sequential scan for each search, filter and sort (enable_seqscan off)", async () => {
    const { nextCursor } = await searchUsers({ limit: 1, sort: "last_sign_in_desc" });
    const inputs: UserSearchInput[] = [
      {},
      { sort: "created_asc" },
      { sort: "last_sign_in_desc", cursor: nextCursor },
      { banned: true },
      { mfa: true },
      { locked: true },
      { createdFrom: new Date(Date.UTC(2024, 0, 1)), createdTo: new Date(Date.UTC(2024, 1, 1)) },
      { query: "alice" },
      { query: "alice smith", banned: false },
      { query: "user_2abc" },
      { query: "b", sort: "last_sign_in_desc" },
    ];
    for (const input of inputs) {
      const plan = planUserSearch(input);
      const queries = [plan.pageSql(plan.strategy), ...(plan.countSql ? [plan.countSql, plan.pageSql("scan")] : [])];
      for (const sql of queries) {
        const lines = await db.$transaction(async (tx) => {
          await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
          return tx.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN ${sql}`);
        });
        const text = lines.map((line) => line["QUERY PLAN"]).join("\n");
        expect(text, JSON.stringify(input)).not.toMatch(/Seq Scan/);
        expect(text).toMatch(/Index/);
      }
    }
  });
});

describe("getAdminUserDetail", () => {
  it("returns the profile, identifiers, sessions with their device, factors and all metadata", async () => {
    const { userId, email } = await signedUpUser();
    await db.user.update({
      where: { id: userId },
      data: { firstName: "Ada", publicMetadata: { plan: "pro" }, privateMetadata: { note: "vip" }, unsafeMetadata: { theme: "dark" } },
    });
    await db.externalAccount.create({ data: { id: newId("externalAccount"), userId, provider: "github", providerUserId: `gh-${userId}`, email, username: "ada" } });
    await db.mfaFactor.create({ data: { id: newId("mfaFactor"), userId, type: "totp", name: "Authenticator app", secretEncrypted: "x", confirmedAt: new Date() } });
    await db.mfaFactor.create({ data: { id: newId("mfaFactor"), userId, type: "totp", secretEncrypted: "y" } }); // unconfirmed: not shown
    await db.session.updateMany({
      where: { userId },
      data: { userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" },
    });

    const detail = (await getAdminUserDetail(userId))!;
    expect(detail).toMatchObject({
      id: userId,
      email,
      emailVerified: true,
      firstName: "Ada",
      role: "user",
      banned: false,
      mfaEnabled: false,
      hasPassword: true,
      emailAddresses: [{ email, verified: true, primary: true }],
      phoneNumbers: [],
      externalAccounts: [{ provider: "github", email, username: "ada" }],
      mfaFactors: [{ type: "totp", name: "Authenticator app" }],
      metadata: { publicMetadata: { plan: "pro" }, privateMetadata: { note: "vip" }, unsafeMetadata: { theme: "dark" } },
    });
    expect(detail.activeSessions).toHaveLength(1);
    expect(detail.activeSessions[0]).toMatchObject({ browser: "Chrome 131", actorId: null });
    expect(detail.activeSessions[0]!.device).toMatch(/^Chrome 131 on macOS/);
    expect(detail.metadataVersion).toMatch(/^[0-9a-f]{32}$/);

    // The version follows the metadata, not other changes to the user.
    await db.user.update({ where: { id: userId }, data: { lastName: "Lovelace" } });
    expect((await getAdminUserDetail(userId))!.metadataVersion).toBe(detail.metadataVersion);
    await db.user.update({ where: { id: userId }, data: { privateMetadata: { note: "changed" } } });
    expect((await getAdminUserDetail(userId))!.metadataVersion).not.toBe(detail.metadataVersion);
  });

  it("is null for an unknown user", async () => {
    expect(await getAdminUserDetail("user_doesnotexist")).toBeNull();
  });
});
