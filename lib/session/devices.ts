import "server-only";
import { UAParser } from "ua-parser-js";
import { recordAuditEvent } from "@/lib/audit";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { emitSessionEvents } from "@/lib/webhooks/events";

/**
 * The signed-in user's active devices (S2, S7): one row per active session,
 * described from its user agent (ua-parser-js), with IP, last active and
 * created; "this device" is the session asking.
 *
 * No location: an approximate location needs a local GeoIP database, and this
 * instance has none configured (no third-party lookup of users' IPs), so the
 * list shows the IP only.
 */
export type Device = {
  sessionId: string;
  current: boolean;
  /** "Chrome 131", or null when the user agent says nothing useful. */
  browser: string | null;
  /** "macOS 14.5", "Android 15". */
  os: string | null;
  /** "desktop" unless the user agent names another type (mobile, tablet, ...). */
  deviceType: string;
  /** "Apple iPhone", when the user agent names the device. */
  deviceModel: string | null;
  ip: string | null;
  lastActiveAt: string;
  createdAt: string;
};

type Actor = { ip: string | null; userAgent: string | null; now?: Date };

export function describeUserAgent(userAgent: string | null): Pick<Device, "browser" | "os" | "deviceType" | "deviceModel"> {
  if (!userAgent) return { browser: null, os: null, deviceType: "desktop", deviceModel: null };
  const { browser, os, device } = UAParser(userAgent);
  const major = browser.version?.split(".")[0];
  const model = [device.vendor, device.model].filter(Boolean).join(" ");
  return {
    browser: browser.name ? [browser.name, major].filter(Boolean).join(" ") : null,
    os: os.name ? [os.name, os.version].filter(Boolean).join(" ") : null,
    deviceType: device.type ?? "desktop",
    deviceModel: model || null,
  };
}

/** The user's active, unexpired sessions, this one first, then the most recently active. */
export async function listDevices(userId: string, currentSessionId: string, now = new Date()): Promise<Device[]> {
  const sessions = await db.session.findMany({
    where: { userId, status: "active", expiresAt: { gt: now } },
    orderBy: { lastActiveAt: "desc" },
    select: { id: true, userAgent: true, ip: true, lastActiveAt: true, createdAt: true },
  });
  return sessions
    .map((session) => ({
      sessionId: session.id,
      current: session.id === currentSessionId,
      ...describeUserAgent(session.userAgent),
      ip: session.ip,
      lastActiveAt: session.lastActiveAt.toISOString(),
      createdAt: session.createdAt.toISOString(),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * "Sign out" on another device: revokes that session (its next refresh gets
 * 401; the token it holds dies within its lifetime). Another user's session,
 * an ended one or an unknown id are all "not found" alike. This device signs
 * out with the ordinary sign-out, which also clears its cookies.
 */
export async function signOutDevice(
  input: { userId: string; currentSessionId: string; sessionId: string },
  actor: Actor,
): Promise<void> {
  if (input.sessionId === input.currentSessionId) {
    throw new AppError("conflict", "This is the device you are using. Use “Sign out” in the account menu instead.");
  }
  const now = actor.now ?? new Date();
  await db.$transaction(async (tx) => {
    await emitSessionEvents(tx, "session.revoked", { id: input.sessionId, userId: input.userId, status: "active" }, now);
    const { count } = await tx.session.updateMany({
      where: { id: input.sessionId, userId: input.userId, status: "active" },
      data: { status: "revoked", endedAt: now },
    });
    if (count !== 1) throw new AppError("not_found", "That device is not signed in.");
    await recordAuditEvent(
      { type: "session.revoked", actorId: input.userId, targetId: input.sessionId, ip: actor.ip, userAgent: actor.userAgent, data: { by: "user" } },
      tx,
    );
  });
}

/** "Sign out of all other devices": every active session of the user except this one. */
export async function signOutOtherDevices(
  input: { userId: string; currentSessionId: string },
  actor: Actor,
): Promise<{ signedOut: number }> {
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const current = await tx.session.count({ where: { id: input.currentSessionId, userId: input.userId, status: "active" } });
    if (current !== 1) throw new AppError("session_invalid", "Your session has ended. Please sign in again.");
    await emitSessionEvents(tx, "session.revoked", { userId: input.userId, status: "active", id: { not: input.currentSessionId } }, now);
    const { count } = await tx.session.updateMany({
      where: { userId: input.userId, status: "active", id: { not: input.currentSessionId } },
      data: { status: "revoked", endedAt: now },
    });
    await recordAuditEvent(
      {
        type: "sign_out.others",
        actorId: input.userId,
        targetId: input.currentSessionId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { signedOut: count },
      },
      tx,
    );
    return { signedOut: count };
  });
}
