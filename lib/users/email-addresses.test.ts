import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { mintSessionToken } from "@/lib/session";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { ORIGIN, decodeJwtPayload, makeRequest, uniqueEmail, type CookieJar } from "@/test/http";
import { GET as listRoute } from "@/app/api/account/emails/route";
import { POST as addRoute } from "@/app/api/account/emails/add/route";
import { POST as verifyRoute } from "@/app/api/account/emails/verify/route";
import { POST as resendRoute } from "@/app/api/account/emails/resend/route";
import { POST as primaryRoute } from "@/app/api/account/emails/primary/route";
import { POST as removeRoute } from "@/app/api/account/emails/remove/route";

type Listed = { id: string; email: string; verified: boolean; primary: boolean };

async function list(jar: CookieJar): Promise<Listed[]> {
  const response = await listRoute(makeRequest("/api/account/emails", { jar }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { emailAddresses: Listed[] }).emailAddresses;
}

async function add(jar: CookieJar, email: string) {
  return addRoute(makeRequest("/api/account/emails/add", { body: { email }, jar }));
}

async function addAndVerify(jar: CookieJar, email: string): Promise<string> {
  const added = await add(jar, email);
  expect(added.status).toBe(200);
  const { emailAddress } = (await added.json()) as { emailAddress: Listed };
  const code = await latestEmailCode(email);
  const verified = await verifyRoute(makeRequest("/api/account/emails/verify", { body: { emailAddressId: emailAddress.id, code }, jar }));
  expect(verified.status).toBe(200);
  return emailAddress.id;
}

const post = (route: (request: ReturnType<typeof makeRequest>) => Promise<Response>, path: string, jar: CookieJar, body: unknown) =>
  route(makeRequest(path, { body, jar }));

describe("email addresses on the account page (S4, S7)", () => {
  it("adds, verifies by code, makes primary (the old primary is told), and removes", async () => {
    const { jar, email: first, userId } = await signedUpUser();
    expect(await list(jar)).toEqual([expect.objectContaining({ email: first, verified: true, primary: true })]);

    const second = uniqueEmail("second");
    const added = await add(jar, second);
    expect(added.status).toBe(200);
    const body = (await added.json()) as { emailAddress: Listed; resendAfter: number };
    expect(body).toMatchObject({ emailAddress: { email: second, verified: false, primary: false }, resendAfter: 30 });
    const id = body.emailAddress.id;
    // The code + link email went to the new address through the outbox.
    const mail = await db.outboxMessage.findFirstOrThrow({ where: { to: second }, orderBy: { createdAt: "desc" } });
    expect(mail.template).toBe("verify_email");

    // Not primary while unverified.
    const early = await post(primaryRoute, "/api/account/emails/primary", jar, { emailAddressId: id });
    expect(early.status).toBe(409);

    const code = await latestEmailCode(second);
    const wrong = await post(verifyRoute, "/api/account/emails/verify", jar, { emailAddressId: id, code: code === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(422);
    const verified = await post(verifyRoute, "/api/account/emails/verify", jar, { emailAddressId: id, code });
    expect(verified.status).toBe(200);
    expect((await list(jar)).find((address) => address.id === id)).toMatchObject({ verified: true, primary: false });

    const primary = await post(primaryRoute, "/api/account/emails/primary", jar, { emailAddressId: id });
    expect(primary.status).toBe(200);
    const after = await list(jar);
    expect(after[0]).toMatchObject({ id, email: second, primary: true });
    expect(after.find((address) => address.email === first)).toMatchObject({ primary: false, verified: true });
    // S4: the OLD primary address is notified, through the outbox.
    const notice = await db.outboxMessage.findFirst({ where: { to: first, template: "primary_email_changed" } });
    expect(notice).not.toBeNull();
    expect(await db.auditEvent.count({ where: { type: "email.primary_changed", actorId: userId, targetId: id } })).toBe(1);

    // The old primary is now an ordinary verified address: it can go.
    const oldId = after.find((address) => address.email === first)!.id;
    const removed = await post(removeRoute, "/api/account/emails/remove", jar, { emailAddressId: oldId });
    expect(removed.status).toBe(200);
    expect((await list(jar)).map((address) => address.email)).toEqual([second]);
    expect(await db.auditEvent.count({ where: { type: "email.added", actorId: userId } })).toBe(1);
    expect(await db.auditEvent.count({ where: { type: "email.removed", actorId: userId, targetId: oldId } })).toBe(1);
  });

  it("never removes the primary or the last verified address; an unverified one goes", async () => {
    const { jar } = await signedUpUser();
    const [primary] = await list(jar);
    const refused = await post(removeRoute, "/api/account/emails/remove", jar, { emailAddressId: primary!.id });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/primary/);

    // An unverified second address does not count as a verified one left behind.
    const pending = uniqueEmail("pending");
    const added = (await (await add(jar, pending)).json()) as { emailAddress: Listed };
    // Make the primary not-primary by data only, to prove the "last verified" rule on its own.
    const user = await db.user.findFirstOrThrow({ where: { primaryEmailAddressId: primary!.id } });
    await db.user.update({ where: { id: user.id }, data: { primaryEmailAddressId: added.emailAddress.id } });
    const lastVerified = await post(removeRoute, "/api/account/emails/remove", jar, { emailAddressId: primary!.id });
    expect(lastVerified.status).toBe(409);
    expect(((await lastVerified.json()) as { message: string }).message).toMatch(/only verified/);
    await db.user.update({ where: { id: user.id }, data: { primaryEmailAddressId: primary!.id } });

    const removed = await post(removeRoute, "/api/account/emails/remove", jar, { emailAddressId: added.emailAddress.id });
    expect(removed.status).toBe(200);
    // Its code stopped working with it.
    expect(await db.verification.count({ where: { identifier: pending, consumedAt: null, expiresAt: { gt: new Date() } } })).toBe(0);
    expect((await list(jar)).length).toBe(1);
  });

  it("an address verified by another user: the add answers as for a free one, but it can never become verified", async () => {
    const owner = await signedUpUser();
    const other = await signedUpUser();
    const free = await add(other.jar, uniqueEmail("free"));
    const taken = await add(other.jar, owner.email.toUpperCase());
    // Same status and same shape: the page tells nobody which addresses have accounts (S10).
    expect(taken.status).toBe(free.status);
    const takenBody = (await taken.json()) as { emailAddress: Listed; resendAfter: number };
    const freeBody = (await free.json()) as { emailAddress: Listed; resendAfter: number };
    expect(Object.keys(takenBody).sort()).toEqual(Object.keys(freeBody).sort());
    expect(takenBody.emailAddress).toMatchObject({ verified: false, primary: false });

    // Only the mailbox's owner gets the code; even with it, the address stays the owner's.
    const code = await latestEmailCode(owner.email.toUpperCase());
    const verify = await post(verifyRoute, "/api/account/emails/verify", other.jar, { emailAddressId: takenBody.emailAddress.id, code });
    expect(verify.status).toBe(409);
    expect(await db.emailAddress.count({ where: { emailNormalized: owner.email.toLowerCase(), verified: true } })).toBe(1);
    expect((await list(owner.jar))[0]).toMatchObject({ email: owner.email, verified: true, primary: true });
    // And it cannot be made primary by the other user.
    const primary = await post(primaryRoute, "/api/account/emails/primary", other.jar, { emailAddressId: takenBody.emailAddress.id });
    expect(primary.status).toBe(409);
  });

  it("refuses another user's address ids with 404, and an address already on the account", async () => {
    const alice = await signedUpUser();
    const bob = await signedUpUser();
    const bobsAddress = (await list(bob.jar))[0]!;
    for (const [route, path] of [
      [primaryRoute, "/api/account/emails/primary"],
      [removeRoute, "/api/account/emails/remove"],
      [resendRoute, "/api/account/emails/resend"],
    ] as const) {
      expect((await post(route, path, alice.jar, { emailAddressId: bobsAddress.id })).status).toBe(404);
    }
    const again = await add(alice.jar, alice.email);
    expect(again.status).toBe(409);
  });

  it("adding needs a recent verification (step-up) and is refused while impersonating", async () => {
    const { jar, userId } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const stale = await add(jar, uniqueEmail("late"));
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("reverification_required");

    const admin = await signedUpUser();
    const context = { ip: null, userAgent: "vitest", issuer: ORIGIN, authorizedParty: ORIGIN };
    const minted = await mintSessionToken({ userId, sessionId: sid, role: "user", emailVerified: true, actorId: admin.userId }, context);
    jar.values.set(SESSION_COOKIE, minted.token);
    const impersonated = await add(jar, uniqueEmail("imp"));
    expect(impersonated.status).toBe(403);
    expect(await db.emailAddress.count({ where: { userId } })).toBe(1);
  });

  it("verifies by the emailed link too, then lists the address verified", async () => {
    const { jar } = await signedUpUser();
    const second = uniqueEmail("linked");
    await add(jar, second);
    const mail = await db.outboxMessage.findFirstOrThrow({ where: { to: second }, orderBy: { createdAt: "desc" } });
    const link = (mail.payload as { preview?: { link?: string } }).preview?.link;
    expect(link).toMatch(/\/sign-in\/confirm\?token=/);
    const token = new URL(link!).searchParams.get("token");
    const { POST: confirmLinkRoute } = await import("@/app/api/auth/email/confirm-link/route");
    const confirmed = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token }, jar }));
    expect(await confirmed.json()).toEqual({ status: "email_verified" });
    expect((await list(jar)).find((address) => address.email === second)).toMatchObject({ verified: true });
  });
});
