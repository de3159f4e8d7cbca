import bcrypt from "bcryptjs";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { db } from "@/lib/db";
import { exportedDigests } from "@/lib/password/testing/exported-digests";
import { setRateLimitStore } from "@/lib/ratelimit";
import { USERNAME_TAKEN_MESSAGE } from "@/lib/users/username";
import type { WebhookEventPayload } from "@/lib/webhooks";
import { createTestEndpoint } from "@/lib/webhooks/testing/receiver";
import { signedUpUser } from "@/test/fixtures";
import { makeRequest } from "@/test/http";
import { importUsers, importUsersFromFile, readImportFile } from ".";
import { steadyMemoryStore } from "@/test/rate-limit";

const OLD_PASSWORD = "their-old-password-7";
const signIn = (email: string, password: string) => signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password } }));

let sequence = 0;
/** A fresh external id and address per call: test files share nothing, tests in a file share the database. */
function unique(label: string) {
  sequence++;
  const tag = `${label}-${Date.now().toString(36)}-${sequence}`;
  return { externalId: `legacy-${tag}`, email: `${tag}@import.example.com` };
}

function record(row: number, data: unknown) {
  return { row, data };
}

async function userByExternalId(externalId: string) {
  return db.user.findUnique({ where: { externalId }, include: { emailAddresses: { orderBy: { createdAt: "asc" } } } });
}

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

describe("importUsers: every supported hasher signs in once, then holds our bcrypt", () => {
  it("imports a user per digest; each signs in with the old password, is rehashed to bcrypt at the configured cost, and a wrong password is refused", async () => {
    const digests = await exportedDigests(OLD_PASSWORD);
    const users = Object.entries(digests).map(([name, { hasher, digest }]) => ({ name, ...unique(name), hasher, digest }));
    const summary = await importUsers(
      users.map((user, index) =>
        record(index + 1, {
          external_id: user.externalId,
          email_addresses: [{ email_address: user.email, verified: true }],
          password_digest: user.digest,
          password_hasher: user.hasher,
        }),
      ),
    );
    expect(summary).toMatchObject({ total: users.length, created: users.length, updated: 0, unchanged: 0, failed: [] });

    for (const user of users) {
      const before = await userByExternalId(user.externalId);
      expect(before?.passwordCost, user.name).toBeNull();
      expect((await signIn(user.email, "not-their-password")).status, user.name).toBe(401);
      const response = await signIn(user.email, OLD_PASSWORD);
      expect(response.status, `${user.name}: ${await response.clone().text()}`).toBe(200);
      const after = await userByExternalId(user.externalId);
      expect(after?.passwordHash, user.name).toMatch(/^\$2b\$04\$/);
      expect(after?.passwordCost, user.name).toBe(4);
      expect(bcrypt.compareSync(OLD_PASSWORD, after!.passwordHash!), user.name).toBe(true);
      // And again, now against our bcrypt.
      expect((await signIn(user.email, OLD_PASSWORD)).status, user.name).toBe(200);
    }
  });
});

describe("importUsers: the import shape", () => {
  it("keeps the id, every address with its verified state, names, username, metadata and creation time; audits and emits user.created", async () => {
    const { externalId, email } = unique("full");
    const other = `other.${email}`;
    const summary = await importUsers([
      record(1, {
        id: externalId,
        email_addresses: [
          { email_address: other, verified: false },
          { email_address: email.toUpperCase(), verified: true },
        ],
        primary_email_address: email,
        first_name: " Ada ",
        last_name: "Lovelace",
        username: `Ada_${sequence}`,
        public_metadata: { plan: "pro" },
        private_metadata: { stripe: "cus_1" },
        unsafe_metadata: { theme: "dark" },
        created_at: "2019-05-06T07:08:09.000Z",
      }),
    ]);
    expect(summary.created).toBe(1);
    const user = await userByExternalId(externalId);
    expect(user).toMatchObject({
      firstName: "Ada",
      lastName: "Lovelace",
      username: `ada_${sequence}`,
      publicMetadata: { plan: "pro" },
      privateMetadata: { stripe: "cus_1" },
      unsafeMetadata: { theme: "dark" },
      createdAt: new Date("2019-05-06T07:08:09.000Z"),
      lastSignInAt: null,
      passwordHash: null,
    });
    expect(user!.emailAddresses.map((address) => [address.emailNormalized, address.verified])).toEqual([
      [email, true],
      [other, false],
    ]);
    expect(user!.primaryEmailAddressId).toBe(user!.emailAddresses[0]!.id);
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "user.created", targetId: user!.id } });
    expect(event.data).toMatchObject({ method: "import", emailVerified: true });
  });

  it("is idempotent by external id: the same file again changes nothing, a changed record updates, never a second user", async () => {
    const { externalId, email } = unique("again");
    const data = {
      external_id: externalId,
      email_addresses: [{ email_address: email, verified: false }],
      first_name: "Grace",
      public_metadata: { tier: 1 },
    };
    expect((await importUsers([record(1, data)])).created).toBe(1);
    expect(await importUsers([record(1, data)])).toMatchObject({ created: 0, updated: 0, unchanged: 1, failed: [] });

    const second = `second.${email}`;
    const summary = await importUsers([
      record(1, { ...data, first_name: "Grace B.", public_metadata: { tier: 2 }, email_addresses: [{ email_address: email, verified: true }, { email_address: second, verified: true }] }),
    ]);
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 0, failed: [] });
    expect(await db.user.count({ where: { externalId } })).toBe(1);
    const user = await userByExternalId(externalId);
    expect(user).toMatchObject({ firstName: "Grace B.", publicMetadata: { tier: 2 } });
    expect(user!.emailAddresses.map((address) => [address.emailNormalized, address.verified])).toEqual([
      [email, true],
      [second, true],
    ]);
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "user.updated", targetId: user!.id } });
    expect(event.data).toMatchObject({ via: "import", fields: ["firstName", "publicMetadata", "emailAddresses"] });
  });

  it("never puts an old digest back over a password the user has since set or been rehashed to here", async () => {
    const { externalId, email } = unique("rehashed");
    const { bcrypt_2a } = await exportedDigests(OLD_PASSWORD);
    const data = { external_id: externalId, email_addresses: [{ email_address: email, verified: true }], password_digest: bcrypt_2a!.digest, password_hasher: "bcrypt" };
    await importUsers([record(1, data)]);
    expect((await signIn(email, OLD_PASSWORD)).status).toBe(200);
    const rehashed = await userByExternalId(externalId);
    expect(rehashed!.passwordCost).toBe(4);

    expect(await importUsers([record(1, data)])).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await userByExternalId(externalId))!.passwordHash).toBe(rehashed!.passwordHash);
  });

  it("reports each bad record with its row and reason and imports the rest", async () => {
    const good = unique("good");
    const taken = await signedUpUser();
    const dup = unique("dup");
    const rows = [
      record(2, { external_id: good.externalId, email_addresses: [{ email_address: good.email, verified: true }] }),
      record(3, { email_addresses: [{ email_address: unique("noid").email, verified: true }] }),
      record(4, { external_id: unique("bademail").externalId, email_addresses: [{ email_address: "not an email" }] }),
      record(5, { external_id: unique("hasher").externalId, email_addresses: [{ email_address: unique("h").email }], password_digest: "abc", password_hasher: "md5" }),
      record(6, { external_id: unique("digest").externalId, email_addresses: [{ email_address: unique("d").email }], password_digest: "$2b$10$short", password_hasher: "bcrypt" }),
      record(7, { external_id: unique("taken").externalId, email_addresses: [{ email_address: taken.email, verified: true }] }),
      record(8, { external_id: good.externalId, email_addresses: [{ email_address: dup.email, verified: true }] }),
      record(9, { external_id: dup.externalId, email_addresses: [{ email_address: good.email, verified: true }] }),
      record(10, "not an object"),
      record(11, { external_id: unique("primary").externalId, email_addresses: [{ email_address: unique("p").email }], primary_email_address: "elsewhere@example.com" }),
    ];
    const summary = await importUsers(rows);
    expect(summary.created).toBe(1);
    expect(summary.failed.map((failure) => failure.row)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const reasons = Object.fromEntries(summary.failed.map((failure) => [failure.row, failure]));
    expect(reasons[3]!.fields).toHaveProperty("external_id");
    expect(reasons[4]!.fields).toHaveProperty(["email_addresses.0.email_address"]);
    expect(reasons[5]!.fields?.password_hasher?.[0]).toMatch(/must be one of: bcrypt, argon2i/);
    expect(reasons[6]!.fields?.password_digest?.[0]).toMatch(/^Not a bcrypt digest/);
    expect(reasons[7]!.message).toMatch(/already in use/);
    expect(reasons[8]!.message).toMatch(/already in row 2/);
    expect(reasons[9]!.message).toMatch(/already in row 2/);
    expect(reasons[11]!.fields).toHaveProperty("primary_email_address");
    // The failures wrote nothing: no user with their ids, no half-made rows.
    expect(await db.user.count({ where: { externalId: { in: rows.map((row) => (row.data as { external_id?: string }).external_id ?? "").filter(Boolean) } } })).toBe(1);
  });

  it("a dry run reports what would happen and writes nothing", async () => {
    const { externalId, email } = unique("dry");
    const summary = await importUsers(
      [record(1, { external_id: externalId, email_addresses: [{ email_address: email, verified: true }] }), record(2, { external_id: "", email_addresses: [] })],
      { dryRun: true },
    );
    expect(summary).toMatchObject({ dryRun: true, created: 1 });
    expect(summary.failed.map((failure) => failure.row)).toEqual([2]);
    expect(await userByExternalId(externalId)).toBeNull();
    expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(0);
  });
});

describe("importUsers: a batch is written together, a bad row in it is left out alone", () => {
  const NEVER_CALLED = "http://127.0.0.1:9/webhooks"; // nothing is drained here

  /** The webhook events of `type` queued for `endpointId`, by the user they carry. */
  async function webhookUserIds(endpointId: string, type: "user.created" | "user.updated") {
    const rows = await db.outboxMessage.findMany({ where: { channel: "webhook", to: endpointId, template: type } });
    return rows.map((row) => ((row.payload as WebhookEventPayload).data as { id: string }).id);
  }

  it("new users: rows the database refuses in the middle of a batch fail with their row number; every other row is made once, audited and emitted once", async () => {
    const taken = await signedUpUser();
    const tag = `b${Date.now().toString(36)}`;
    const holder = unique("holder");
    await importUsers([record(1, { external_id: holder.externalId, email_addresses: [{ email_address: holder.email, verified: true }], username: `${tag}_held` })]);
    const endpoint = await createTestEndpoint(NEVER_CALLED);
    try {
      const users = Array.from({ length: 120 }, (_, index) => unique(`batch-${index}`));
      const rows = users.map((user, index) => ({
        external_id: user.externalId,
        email_addresses: [{ email_address: user.email, verified: true }],
        first_name: "Batch",
        last_name: String(index),
      })) as Record<string, unknown>[];
      rows[10]!.email_addresses = [{ email_address: taken.email, verified: true }]; // held by a user who signed up: the unique index refuses
      rows[57]!.username = `${tag}_held`; // held by the user imported above
      rows[80]!.username = `${tag}_twice`; // two rows of one batch with one username: the first keeps it
      rows[81]!.username = `${tag}_twice`;
      // One transaction for all 120 (concurrency 1): the refusals happen inside one batch.
      const summary = await importUsers(rows.map((data, index) => record(index + 2, data)), { concurrency: 1 });

      expect(summary).toMatchObject({ total: 120, created: 117, updated: 0, unchanged: 0 });
      expect(summary.failed.map((failure) => [failure.row, failure.externalId, failure.message])).toEqual([
        [12, users[10]!.externalId, expect.stringMatching(/already in use/)],
        [59, users[57]!.externalId, USERNAME_TAKEN_MESSAGE],
        [83, users[81]!.externalId, USERNAME_TAKEN_MESSAGE],
      ]);
      const made = await db.user.findMany({ where: { externalId: { in: users.map((user) => user.externalId) } }, include: { emailAddresses: true } });
      expect(made.map((user) => user.externalId).sort()).toEqual(users.filter((_, index) => ![10, 57, 81].includes(index)).map((user) => user.externalId).sort());
      for (const user of made) {
        expect(user.emailAddresses).toHaveLength(1);
        expect(user.primaryEmailAddressId).toBe(user.emailAddresses[0]!.id);
      }
      expect(made.find((user) => user.externalId === users[80]!.externalId)!.username).toBe(`${tag}_twice`);
      expect(await db.emailAddress.count({ where: { emailNormalized: taken.email } })).toBe(1);

      const ids = made.map((user) => user.id).sort();
      const audited = await db.auditEvent.findMany({ where: { type: "user.created", targetId: { in: ids } }, select: { targetId: true, data: true } });
      expect(audited.map((event) => event.targetId).sort()).toEqual(ids);
      for (const event of audited) expect(event.data).toMatchObject({ method: "import", emailVerified: true });
      expect((await webhookUserIds(endpoint.id, "user.created")).sort()).toEqual(ids);
    } finally {
      await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
    }
  });

  it("known users: an update the database refuses fails alone; the others are updated, audited and emitted once each", async () => {
    const taken = await signedUpUser();
    const users = Array.from({ length: 60 }, (_, index) => unique(`update-${index}`));
    const rows = users.map((user) => ({ external_id: user.externalId, email_addresses: [{ email_address: user.email, verified: true }], first_name: "Before" }));
    expect(await importUsers(rows.map((data, index) => record(index + 1, data)))).toMatchObject({ created: 60, failed: [] });

    const endpoint = await createTestEndpoint(NEVER_CALLED);
    try {
      const changed = rows.map((data) => ({ ...data, first_name: "After" }));
      changed[33] = { ...changed[33]!, email_addresses: [...changed[33]!.email_addresses, { email_address: taken.email, verified: true }] };
      const summary = await importUsers(changed.map((data, index) => record(index + 1, data)), { concurrency: 1 });
      expect(summary).toMatchObject({ total: 60, created: 0, updated: 59, unchanged: 0 });
      expect(summary.failed.map((failure) => [failure.row, failure.externalId, failure.message])).toEqual([[34, users[33]!.externalId, expect.stringMatching(/already in use/)]]);

      const after = await db.user.findMany({ where: { externalId: { in: users.map((user) => user.externalId) } }, select: { id: true, externalId: true, firstName: true } });
      expect(after).toHaveLength(60);
      const updated = after.filter((user) => user.externalId !== users[33]!.externalId);
      for (const user of updated) expect(user.firstName).toBe("After");
      expect(after.find((user) => user.externalId === users[33]!.externalId)!.firstName).toBe("Before");
      const ids = updated.map((user) => user.id).sort();
      const audited = await db.auditEvent.findMany({ where: { type: "user.updated", targetId: { in: after.map((user) => user.id) } }, select: { targetId: true, data: true } });
      expect(audited.map((event) => event.targetId).sort()).toEqual(ids);
      for (const event of audited) expect(event.data).toEqual({ via: "import", fields: ["firstName"] });
      expect((await webhookUserIds(endpoint.id, "user.updated")).sort()).toEqual(ids);
    } finally {
      await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
    }
  });
});

describe("adapters: Clerk's and Auth0's exports", () => {
  it("reads Clerk's dashboard CSV (pipe-separated addresses) and its users sign in with their digests", async () => {
    const { bcrypt_2a, argon2id } = await exportedDigests(OLD_PASSWORD);
    const a = unique("clerk-a");
    const b = unique("clerk-b");
    const csv = [
      "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher",
      `${a.externalId},Jane,Doe,,${a.email},,${a.email}|alt.${a.email},,,,,${bcrypt_2a!.digest},bcrypt`,
      `${b.externalId},John,,,${b.email},,,${b.email},,,,"${argon2id!.digest}",argon2id`,
      `,Nobody,,,nobody@example.com,,,,,,,,`,
    ].join("\n");
    const { records, failed } = readImportFile(csv, "clerk");
    expect(failed).toEqual([]);
    expect(records.map((entry) => entry.row)).toEqual([2, 3, 4]);
    expect(records[0]!.data).toMatchObject({
      external_id: a.externalId,
      first_name: "Jane",
      email_addresses: [
        { email_address: a.email, verified: true },
        { email_address: `alt.${a.email}`, verified: true },
      ],
    });
    const summary = await importUsersFromFile(csv, "clerk");
    expect(summary).toMatchObject({ total: 3, created: 2 });
    expect(summary.failed.map((failure) => failure.row)).toEqual([4]);
    const john = await userByExternalId(b.externalId);
    expect(john!.emailAddresses[0]).toMatchObject({ emailNormalized: b.email, verified: false });
    expect((await signIn(a.email, OLD_PASSWORD)).status).toBe(200);
    expect((await signIn(b.email, OLD_PASSWORD)).status).toBe(200);
  });

  it("reads Clerk's JSON export (backend API user objects)", async () => {
    const { pbkdf2_sha256 } = await exportedDigests(OLD_PASSWORD);
    const c = unique("clerk-json");
    const json = JSON.stringify([
      {
        id: c.externalId,
        first_name: "Cleo",
        last_name: null,
        username: null,
        primary_email_address_id: "idn_2",
        email_addresses: [
          { id: "idn_1", email_address: `old.${c.email}`, verification: { status: "unverified" } },
          { id: "idn_2", email_address: c.email, verification: { status: "verified" } },
        ],
        public_metadata: { a: 1 },
        private_metadata: {},
        unsafe_metadata: {},
        password_digest: pbkdf2_sha256!.digest,
        password_hasher: "pbkdf2_sha256",
        created_at: 1_600_000_000_000,
      },
    ]);
    const summary = await importUsersFromFile(json, "clerk");
    expect(summary).toMatchObject({ created: 1, failed: [] });
    const user = await userByExternalId(c.externalId);
    expect(user).toMatchObject({ firstName: "Cleo", publicMetadata: { a: 1 }, createdAt: new Date(1_600_000_000_000) });
    expect(user!.emailAddresses.find((address) => address.id === user!.primaryEmailAddressId)!.emailNormalized).toBe(c.email);
    expect((await signIn(c.email, OLD_PASSWORD)).status).toBe(200);
  });

  it("reads Auth0's user export (JSON lines) and then the password-hash export from Auth0 support, joined by user id", async () => {
    const oid = `5f${Date.now().toString(16)}${sequence++}`;
    const email = `auth0-${oid}@import.example.com`;
    const profiles = [
      JSON.stringify({ user_id: `auth0|${oid}`, email, email_verified: true, given_name: "Alan", family_name: "Turing", app_metadata: { roles: ["admin"] }, user_metadata: { lang: "en" }, created_at: "2020-01-02T03:04:05.000Z" }),
      "{ not json",
    ].join("\n");
    const first = await importUsersFromFile(profiles, "auth0");
    expect(first).toMatchObject({ total: 2, created: 1 });
    expect(first.failed).toMatchObject([{ row: 2, message: expect.stringMatching(/not valid JSON/) }]);
    const user = await userByExternalId(`auth0|${oid}`);
    expect(user).toMatchObject({ firstName: "Alan", lastName: "Turing", privateMetadata: { roles: ["admin"] }, unsafeMetadata: { lang: "en" }, passwordHash: null });

    const hashes = JSON.stringify({ _id: { $oid: oid }, email, email_verified: true, passwordHash: bcrypt.hashSync(OLD_PASSWORD, 4), connection: "Username-Password-Authentication" });
    expect(await importUsersFromFile(`${hashes}\n`, "auth0")).toMatchObject({ created: 0, updated: 1, failed: [] });
    expect((await signIn(email, OLD_PASSWORD)).status).toBe(200);
  });
});
