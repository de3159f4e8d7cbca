// Bench data: users, email addresses, clients and sessions, inserted with
// set-based SQL (INSERT ... SELECT generate_series) so 100k users and 200k
// sessions take seconds. Ids have the product's shape (`user_` + 27 base62
// characters); `__client` tokens are derived from the session number so the
// load generator can rebuild any of them, and stored as SHA-256 hex like
// lib/session does.
import crypto from "node:crypto";

/** The `__client` cookie value of bench session number `n` (1-based). */
export function clientToken(n) {
  return `bct_${n}_${crypto.createHash("md5").update(`c${n}`).digest("hex")}`;
}

/** Product-shaped ids: prefix + 27 base62 characters ("B" + 26 digits). */
export const benchId = (prefix, n) => `${prefix}_B${String(n).padStart(26, "0")}`;
const sqlId = (prefix, expr) => `'${prefix}_B' || lpad((${expr})::text, 26, '0')`;

export const benchEmail = (n) => `bench-user-${n}@example.com`;

/**
 * Users [fromUser, toUser] and sessions [fromSession, toSession]. Session n
 * belongs to user ((n - 1) % userCount) + 1 and has its own client. Every user
 * shares `sharedHash` (one real cost-10 bcrypt hash); the sign-in users get
 * their own hashes later (assignPasswords). Sessions are active, expire in 7
 * days and were last active an hour ago.
 */
export async function seedRange(client, { fromUser, toUser, fromSession, toSession, userCount, sharedHash, cost }) {
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "User" ("id", "passwordHash", "passwordCost", "passwordChangedAt", "primaryEmailAddressId", "createdAt", "updatedAt")
       SELECT ${sqlId("user", "g")}, $3, $4, now(), ${sqlId("idn", "g")}, now() - interval '30 days', now()
       FROM generate_series($1::int, $2::int) AS g`,
      [fromUser, toUser, sharedHash, cost],
    );
    await client.query(
      `INSERT INTO "EmailAddress" ("id", "userId", "email", "emailNormalized", "verified", "verifiedAt", "createdAt", "updatedAt")
       SELECT ${sqlId("idn", "g")}, ${sqlId("user", "g")}, 'bench-user-' || g || '@example.com', 'bench-user-' || g || '@example.com',
              true, now(), now() - interval '30 days', now()
       FROM generate_series($1::int, $2::int) AS g`,
      [fromUser, toUser],
    );
    await client.query(
      `INSERT INTO "Client" ("id", "tokenHash", "lastActiveSessionId", "userAgent", "createdAt", "updatedAt")
       SELECT ${sqlId("client", "g")},
              encode(sha256(convert_to('bct_' || g || '_' || md5('c' || g), 'UTF8')), 'hex'),
              ${sqlId("sess", "g")}, 'bench', now() - interval '1 day', now()
       FROM generate_series($1::int, $2::int) AS g`,
      [fromSession, toSession],
    );
    await client.query(
      `INSERT INTO "Session" ("id", "userId", "clientId", "status", "ip", "userAgent", "createdAt", "lastActiveAt", "expiresAt", "updatedAt")
       SELECT ${sqlId("sess", "g")}, ${sqlId("user", `((g - 1) % $3) + 1`)}, ${sqlId("client", "g")}, 'active', '127.0.0.1', 'bench',
              now() - interval '1 day', now() - interval '1 hour', now() + interval '7 days', now()
       FROM generate_series($1::int, $2::int) AS g`,
      [fromSession, toSession, userCount],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  await client.query(`ANALYZE "User", "EmailAddress", "Client", "Session"`);
}

/** Gives users `userNumbers[i]` the real hash `hashes[i]` (the sign-in scenario's accounts). */
export async function assignPasswords(client, userNumbers, hashes, cost) {
  await client.query(
    `UPDATE "User" AS u SET "passwordHash" = v.hash, "passwordCost" = $3, "updatedAt" = now()
     FROM unnest($1::text[], $2::text[]) AS v(id, hash) WHERE u."id" = v.id`,
    [userNumbers.map((n) => benchId("user", n)), hashes, cost],
  );
}

/** Makes sessions look last active `ago` (so the next refresh does, or skips, its lastActiveAt write). */
export async function setLastActive(client, sessionNumbers, ago) {
  await client.query(
    `UPDATE "Session" SET "lastActiveAt" = now() - $2::interval WHERE "id" = ANY($1::text[])`,
    [sessionNumbers.map((n) => benchId("sess", n)), ago],
  );
}

export async function tableCounts(client) {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM "User")::int AS users, (SELECT count(*) FROM "Session")::int AS sessions,
            (SELECT count(*) FROM "Client")::int AS clients, (SELECT count(*) FROM "EmailAddress")::int AS emails`,
  );
  return rows[0];
}

/** Sequential scans per table so far (pg_stat_user_tables), to prove hot paths stay on indexes. */
export async function seqScans(client) {
  const { rows } = await client.query(
    `SELECT relname, seq_scan::bigint AS seq, coalesce(idx_scan, 0)::bigint AS idx FROM pg_stat_user_tables
     WHERE relname IN ('User', 'EmailAddress', 'Client', 'Session')`,
  );
  return Object.fromEntries(rows.map((row) => [row.relname, { seq: Number(row.seq), idx: Number(row.idx) }]));
}

/**
 * EXPLAIN ANALYZE of the hot queries, written the way Prisma issues them
 * (same tables, predicates and LIMIT; parameters inlined).
 */
export async function explainHotQueries(client, { sessionNumber, userNumber }) {
  const token = clientToken(sessionNumber);
  const tokenHash = crypto.createHash("sha256").update(token).digest("hex");
  const queries = [
    {
      name: "client by tokenHash (handshake/refresh, sign-in)",
      sql: `SELECT "id", "lastActiveSessionId" FROM "Client" WHERE "tokenHash" = '${tokenHash}' LIMIT 1`,
    },
    {
      name: "session by id (handshake/refresh)",
      sql: `SELECT * FROM "Session" WHERE "id" = '${benchId("sess", sessionNumber)}' LIMIT 1`,
    },
    {
      name: "user by id (session include / sign-in include)",
      sql: `SELECT "id", "role", "banned", "lockedUntil" FROM "User" WHERE "id" IN ('${benchId("user", userNumber)}')`,
    },
    {
      name: "email by emailNormalized (sign-in)",
      sql: `SELECT * FROM "EmailAddress" WHERE "emailNormalized" = '${benchEmail(userNumber)}' LIMIT 1`,
    },
    {
      name: "active sessions of a client (sign-in: replace previous session)",
      sql: `SELECT "id" FROM "Session" WHERE "clientId" = '${benchId("client", sessionNumber)}' AND "status" = 'active' AND "userId" = '${benchId("user", userNumber)}'`,
    },
  ];
  const plans = [];
  for (const query of queries) {
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query.sql}`);
    const plan = rows.map((row) => row["QUERY PLAN"]);
    const text = plan.join("\n");
    plans.push({ ...query, plan, usesIndex: /Index (Only )?Scan/.test(text) && !/Seq Scan/.test(text) });
  }
  return plans;
}
