import "server-only";
import { db } from "@/lib/db";

/**
 * The admin overview (S8): totals, the last 30 days per UTC day, and the
 * sign-in methods used. Activity comes from the audit log (sign-ups stay
 * counted after an account is deleted), read on its (type, createdAt) index
 * and grouped by PostgreSQL, never loaded row by row.
 */
export type AdminOverview = {
  totals: {
    users: number;
    activeSessions: number;
    bannedUsers: number;
    lockedUsers: number;
    mfaUsers: number;
    signUps30d: number;
    signIns30d: number;
    failedSignIns30d: number;
  };
  /** 30 entries, oldest first, today (UTC) last; days without events are 0. */
  daily: { date: string; signUps: number; signIns: number; failedSignIns: number }[];
  /** First factors of successful sign-ins in those 30 days, most used first ("password", "email_code", "oauth_github", ...). */
  methods: { method: string; count: number }[];
};

export const OVERVIEW_DAYS = 30;

const ACTIVITY = { "user.created": "signUps", "sign_in.succeeded": "signIns", "sign_in.failed": "failedSignIns" } as const;
type ActivityType = keyof typeof ACTIVITY;

const DAY_MS = 86_400_000;
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

export async function getAdminOverview(now = new Date()): Promise<AdminOverview> {
  // The window: the start of the UTC day 29 days ago up to now, so the daily rows add up to the totals.
  const today = new Date(`${utcDay(now)}T00:00:00.000Z`);
  const since = new Date(today.getTime() - (OVERVIEW_DAYS - 1) * DAY_MS);
  const types = Object.keys(ACTIVITY) as ActivityType[];

  const [users, activeSessions, bannedUsers, lockedUsers, mfaUsers, activity, methods] = await Promise.all([
    db.user.count(),
    db.session.count({ where: { status: "active", expiresAt: { gt: now } } }),
    db.user.count({ where: { banned: true } }),
    db.user.count({ where: { lockedUntil: { gt: now } } }),
    db.user.count({ where: { mfaEnabled: true } }),
    // timestamp(3) columns hold UTC wall time: date_trunc('day') is the UTC day.
    db.$queryRaw<{ day: string; type: ActivityType; count: number }[]>`
      SELECT to_char(day, 'YYYY-MM-DD') AS day, type, count::int AS count
      FROM (
        SELECT date_trunc('day', "createdAt") AS day, type, count(*) AS count
        FROM "AuditEvent"
        WHERE type = ANY(${types}::text[]) AND "createdAt" >= ${since} AND "createdAt" <= ${now}
        GROUP BY 1, 2
      ) AS per_day`,
    db.$queryRaw<{ method: string | null; count: number }[]>`
      SELECT data->>'factor' AS method, count(*)::int AS count
      FROM "AuditEvent"
      WHERE type = 'sign_in.succeeded' AND "createdAt" >= ${since} AND "createdAt" <= ${now}
      GROUP BY 1
      ORDER BY 2 DESC, 1`,
  ]);

  const daily = Array.from({ length: OVERVIEW_DAYS }, (_, index) => ({
    date: utcDay(new Date(since.getTime() + index * DAY_MS)),
    signUps: 0,
    signIns: 0,
    failedSignIns: 0,
  }));
  const byDate = new Map(daily.map((entry) => [entry.date, entry]));
  for (const row of activity) {
    const entry = byDate.get(row.day);
    if (entry) entry[ACTIVITY[row.type]] += row.count;
  }
  const sum = (key: "signUps" | "signIns" | "failedSignIns") => daily.reduce((total, entry) => total + entry[key], 0);

  return {
    totals: {
      users,
      activeSessions,
      bannedUsers,
      lockedUsers,
      mfaUsers,
      signUps30d: sum("signUps"),
      signIns30d: sum("signIns"),
      failedSignIns30d: sum("failedSignIns"),
    },
    daily,
    methods: methods.map((row) => ({ method: row.method ?? "unknown", count: row.count })),
  };
}
