// The end-of-run checks (issue 17), from the database and the sinks: the
// Session, User, EmailAddress and OutboxMessage rows, the SMTP sink's
// messages and the webhook receiver's table. The harness's own bookkeeping is
// only used for what only the client can know (status codes it got, tokens it
// was handed) and then checked against the rows.

const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
export { percentile };

const RECOVERY_LIMIT_MS = 30_000;
const RECOVERY_WINDOW_MS = 5_000;
/** 2x a tiny baseline is noise on a shared 2-core machine; the limit is 2x at least this. */
export const BASELINE_FLOOR_MS = 50;

/** p99 of successful probe requests starting in [from, to). */
function probeP99(requests, from, to) {
  const sample = requests.filter((r) => r.route === "probe" && r.status === 200 && r.start >= from && r.start < to).map((r) => r.ms);
  return { p99: percentile(sample, 99), count: sample.length };
}

/**
 * Recovery after a fault: the first moment t after its end from which the
 * probe's p99 over [t, t + 5 s) is within `limitMs`. Null when not within 30 s.
 */
export function recoveryAfter(requests, end, limitMs) {
  for (let offset = 0; offset <= RECOVERY_LIMIT_MS; offset += 500) {
    const { p99, count } = probeP99(requests, end + offset, end + offset + RECOVERY_WINDOW_MS);
    if (count >= 3 && p99 <= limitMs) return offset;
  }
  return null;
}

export function baselineP99(requests, from, to) {
  return probeP99(requests, from, to);
}

/** Requests attributed to a window: in flight at any moment of it (one cut by a kill started just before it). */
export function inWindow(request, window) {
  return request.start <= window.end && request.end >= window.start;
}

export async function checkInvariants({ db, sink, recorder, workload, windows, webhookSince, baseline }) {
  const results = [];
  const add = (name, ok, detail) => results.push({ name, ok, detail });

  // 1. Mail: every outbox mail row sent and arrived (by Message-ID); none stuck or failed.
  const mail = (await db.query(`SELECT id, status, attempts, "lastError" FROM "OutboxMessage" WHERE channel = 'email'`)).rows;
  const arrived = new Map();
  for (const message of sink.messages) arrived.set(message.messageId, (arrived.get(message.messageId) ?? 0) + 1);
  const arrivedIds = new Set([...arrived.keys()].map((messageId) => /^<([^@>]+)@/.exec(messageId ?? "")?.[1]).filter(Boolean));
  const notSent = mail.filter((row) => row.status !== "sent");
  const missing = mail.filter((row) => row.status === "sent" && !arrivedIds.has(row.id));
  const duplicates = [...arrived.values()].filter((count) => count > 1).length;
  const strangers = [...arrived.keys()].filter((messageId) => !mail.some((row) => messageId?.startsWith(`<${row.id}@`)));
  add(
    "every promised email arrived (duplicates share a Message-ID), no outbox row stuck or failed",
    notSent.length === 0 && missing.length === 0 && strangers.length === 0,
    `${mail.length} outbox mails, ${sink.messages.length} delivered (${duplicates} Message-IDs more than once); not sent: ${notSent.length}${
      notSent.length ? ` (${notSent.slice(0, 5).map((row) => `${row.id} ${row.status} x${row.attempts} ${row.lastError ?? ""}`).join("; ")})` : ""
    }; sent but never arrived: ${missing.length}; arrived without a row: ${strangers.length}`,
  );

  // 2. Webhooks: every event row delivered (by svix-id in the receiver's table); every session and user created
  //    after the endpoint existed has its event.
  const hooks = (await db.query(`SELECT id, status, attempts, "lastError", payload->>'msgId' AS "msgId", payload->>'type' AS type, payload->'data'->>'id' AS "dataId" FROM "OutboxMessage" WHERE channel = 'webhook'`)).rows;
  const received = new Set((await db.query(`SELECT svix_id FROM bench_received_event`)).rows.map((row) => row.svix_id));
  const hookNotSent = hooks.filter((row) => row.status !== "sent");
  const hookMissing = hooks.filter((row) => !received.has(row.msgId));
  const sessions = (await db.query(`SELECT id FROM "Session" WHERE "createdAt" >= $1`, [webhookSince])).rows;
  const users = (await db.query(`SELECT id FROM "User" WHERE "createdAt" >= $1`, [webhookSince])).rows;
  const eventFor = new Set(hooks.map((row) => `${row.type}:${row.dataId}`));
  const sessionsWithout = sessions.filter((row) => !eventFor.has(`session.created:${row.id}`));
  const usersWithout = users.filter((row) => !eventFor.has(`user.created:${row.id}`));
  add(
    "every webhook of a committed change delivered (svix-id in the receiver's table)",
    hookNotSent.length === 0 && hookMissing.length === 0 && sessionsWithout.length === 0 && usersWithout.length === 0,
    `${hooks.length} events queued, ${received.size} distinct svix-ids received; not sent: ${hookNotSent.length}${
      hookNotSent.length ? ` (${hookNotSent.slice(0, 3).map((row) => `${row.id} ${row.status} x${row.attempts} ${row.lastError ?? ""}`).join("; ")})` : ""
    }; not received: ${hookMissing.length}; sessions without session.created: ${sessionsWithout.length}/${sessions.length}; users without user.created: ${usersWithout.length}/${users.length}`,
  );

  // 3. Tokens vs session rows: none minted (iat) after its session ended or was revoked; none for a banned user.
  const sids = [...new Set(recorder.tokens.map((token) => token.sid))];
  const rows = new Map(
    (await db.query(`SELECT s.id, s.status, s."endedAt", u.banned FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s.id = ANY($1::text[])`, [sids])).rows.map((row) => [row.id, row]),
  );
  // A ban revokes the user's sessions (endedAt) and refuses new ones: no token of theirs may be issued after it.
  const bannedAt = new Map(
    (await db.query(`SELECT "targetId", min("createdAt") AS at FROM "AuditEvent" WHERE type = 'user.banned' GROUP BY 1`)).rows.map((row) => [row.targetId, Math.floor(new Date(row.at).getTime() / 1000)]),
  );
  const late = [];
  const unknown = [];
  for (const token of recorder.tokens) {
    const row = rows.get(token.sid);
    if (!row) {
      unknown.push(token);
      continue;
    }
    const endedAtS = row.endedAt ? Math.floor(new Date(row.endedAt).getTime() / 1000) : null;
    const banS = bannedAt.get(token.sub);
    if ((endedAtS !== null && token.iat > endedAtS) || (banS !== undefined && token.iat > banS)) late.push({ ...token, status: row.status, endedAt: row.endedAt });
  }
  add(
    "no token minted after its session was signed out or revoked, nor after its user was banned (token iat vs Session.endedAt, ban time)",
    late.length === 0 && unknown.length === 0 && workload.staleRefreshMinted.length === 0,
    `${recorder.tokens.length} tokens over ${sids.length} sessions, ${bannedAt.size} users banned during the run; minted after the end or the ban: ${late.length}${
      late.length ? ` (${late.slice(0, 3).map((t) => `${t.sid} iat ${t.iat} ended ${t.endedAt?.toISOString?.() ?? t.endedAt} ${t.status} via ${t.route}`).join("; ")})` : ""
    }; tokens naming no session: ${unknown.length}; refreshes with signed-out cookies answered 200: ${workload.staleRefreshMinted.length}`,
  );

  // 4. No 5xx outside a fault window; no stack trace anywhere.
  const outside = recorder.requests.filter((r) => r.status >= 500 && !windows.some((window) => inWindow(r, window)));
  add(
    "no 5xx outside a fault window",
    outside.length === 0,
    `${outside.length} outside${outside.length ? `: ${summarise(outside)}` : ""}`,
  );
  add("no stack trace in any response body", recorder.stackTraces.length === 0, `${recorder.stackTraces.length}${recorder.stackTraces.length ? `: ${recorder.stackTraces[0].route} ${recorder.stackTraces[0].status} ${recorder.stackTraces[0].excerpt.slice(0, 200)}` : ""}`);

  // 5. Sign-ups: one user per address, and every sign-up the harness completed is a user.
  const dupes = (await db.query(`SELECT "emailNormalized", count(DISTINCT "userId")::int AS users FROM "EmailAddress" WHERE "emailNormalized" LIKE 'soak-%' GROUP BY 1 HAVING count(DISTINCT "userId") > 1`)).rows;
  const soakUsers = new Set((await db.query(`SELECT "emailNormalized" FROM "EmailAddress" WHERE "emailNormalized" LIKE 'soak-%' AND verified`)).rows.map((row) => row.emailNormalized));
  const completedMissing = [...workload.signUpsCompleted].filter((email) => !soakUsers.has(email.toLowerCase()));
  const unverifiedUsers = (await db.query(`SELECT count(*)::int AS n FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "EmailAddress" e WHERE e."userId" = u.id AND e.verified)`)).rows[0].n;
  add(
    "each sign-up made exactly one user",
    dupes.length === 0 && completedMissing.length === 0 && unverifiedUsers === 0,
    `${workload.signUpsCompleted.size} sign-ups completed, ${soakUsers.size} verified soak users; addresses on several users: ${dupes.length}; completed sign-ups without a user: ${completedMissing.length}; users without a verified address: ${unverifiedUsers}`,
  );

  // 5b. Each consumed code or link (a completed sign-in or sign-up attempt) opened exactly one session.
  const attempts = (
    await db.query(`
      SELECT 'sign-in' AS kind, id, "createdSessionId" FROM "SignInAttempt" WHERE status = 'complete' AND "createdAt" >= $1
      UNION ALL
      SELECT 'sign-up', id, "createdSessionId" FROM "SignUpAttempt" WHERE status = 'complete' AND "createdAt" >= $1`, [webhookSince])
  ).rows;
  const withoutSession = attempts.filter((row) => !row.createdSessionId);
  const sessionUses = new Map();
  for (const row of attempts) if (row.createdSessionId) sessionUses.set(row.createdSessionId, (sessionUses.get(row.createdSessionId) ?? 0) + 1);
  const shared = [...sessionUses.values()].filter((count) => count > 1).length;
  const existing = new Set((await db.query(`SELECT id FROM "Session" WHERE id = ANY($1::text[])`, [[...sessionUses.keys()]])).rows.map((row) => row.id));
  const dangling = [...sessionUses.keys()].filter((id) => !existing.has(id)).length;
  const sessionsWithoutAttempt = sessions.filter((row) => !sessionUses.has(row.id)).length;
  add(
    "each completed sign-in or sign-up attempt opened exactly one session",
    withoutSession.length === 0 && shared === 0 && dangling === 0,
    `${attempts.length} completed attempts; without a session: ${withoutSession.length}; sessions opened by two attempts: ${shared}; naming a missing session: ${dangling}; (sessions not opened by an attempt, e.g. a password reset: ${sessionsWithoutAttempt})`,
  );

  // 5c. A magic link confirmed in one tab while another tab of the same browser polls: a tab told
  // "complete" goes on signed in. Told before the confirm's answer arrived, it would go on with the
  // cookies from before the sign-in (and the handshake would find that client token unknown).
  const links = workload.linkPolls;
  add(
    "a same-browser magic-link poll says complete only once the browser holds the new cookies; that tab is signed in",
    links.ahead === 0 && links.signedOutAfter.length === 0,
    `${links.complete} polls told complete; before the confirm's answer arrived: ${links.ahead}; protected page not signed in after one: ${links.signedOutAfter.length}${
      links.signedOutAfter.length ? ` (${links.signedOutAfter.slice(0, 3).map((entry) => `${entry.email} ${entry.status}`).join("; ")})` : ""
    }`,
  );

  // 6. Recovery of the protected page's p99 after each fault.
  const limitMs = 2 * Math.max(baseline.p99 ?? BASELINE_FLOOR_MS, BASELINE_FLOOR_MS);
  const slow = windows.filter((window) => window.recoveryMs === null);
  add(
    "protected page p99 back within 2x pre-fault within 30 s of each fault",
    slow.length === 0 && baseline.count > 0,
    `baseline p99 ${baseline.p99} ms over ${baseline.count} probes, limit ${limitMs} ms; not recovered: ${slow.map((window) => window.name).join(", ") || "none"}`,
  );
  return results;
}

function summarise(requests) {
  const byRoute = {};
  for (const r of requests) byRoute[`${r.route} ${r.status}`] = (byRoute[`${r.route} ${r.status}`] ?? 0) + 1;
  return Object.entries(byRoute).map(([key, count]) => `${key} x${count}`).join(", ");
}
