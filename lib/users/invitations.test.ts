import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { forgetCachedSettings, readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { GET as listRoute, POST as inviteRoute } from "@/app/api/admin/invitations/route";
import { POST as revokeRoute } from "@/app/api/admin/invitations/[id]/revoke/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { CookieJar, STRONG_PASSWORD, makeRequest } from "@/test/http";
import { inspectInvitation, SIGN_UP_RESTRICTED_MESSAGE } from "./index";

/** S8 sign-up by invitation: invite -> email in the outbox -> sign-up with the token, once. */
afterEach(async () => {
  await db.instanceSettings.deleteMany();
  forgetCachedSettings();
});

async function invitationMode() {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings({ signUpMode: "invitation" }, { expectedVersion: version });
}

async function admin() {
  const user = await signedUpUser();
  await db.user.update({ where: { id: user.userId }, data: { role: "admin" } });
  return user;
}

const emailAt = (domain: string) => `guest.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@${domain}`;

type Json = { invitation?: { id: string; status: string; email: string }; invitations?: { id: string; status: string }[]; status?: string; attemptId?: string; errors?: { code: string; message: string; field?: string }[] };

async function invite(jar: CookieJar, email: string) {
  const response = await inviteRoute(makeRequest("/api/admin/invitations", { body: { email }, jar }));
  return { status: response.status, json: (await response.json()) as Json };
}

/** The token from the invitation email in the outbox, as the invitee would click it. */
async function invitationToken(email: string): Promise<string> {
  const message = await db.outboxMessage.findFirstOrThrow({ where: { to: email, template: "invitation" }, orderBy: { createdAt: "desc" } });
  const text = (message.payload as { text: string }).text;
  const link = new URL(text.match(/https?:\/\/\S*\/sign-up\?invitation=[\w%-]+/)![0]);
  expect(link.pathname).toBe("/sign-up");
  return link.searchParams.get("invitation")!;
}

async function signUp(body: Record<string, unknown>, jar = new CookieJar()) {
  const response = await signUpRoute(makeRequest("/api/auth/sign-up", { body: { password: STRONG_PASSWORD, ...body }, jar }));
  jar.absorb(response);
  return { status: response.status, json: (await response.json()) as Json, jar };
}

describe("invitations (S8)", () => {
  it("invite -> email in the outbox -> sign-up with the token works, and accepts the invitation once", async () => {
    const { jar } = await admin();
    await invitationMode();
    const email = emailAt("guests.test");
    const created = await invite(jar, email);
    expect(created.status).toBe(201);
    expect(created.json.invitation).toMatchObject({ email, status: "pending" });
    const token = await invitationToken(email);
    expect(await inspectInvitation(token)).toMatchObject({ state: "valid", email });
    expect(await db.auditEvent.count({ where: { type: "invitation.created", targetId: created.json.invitation!.id } })).toBe(1);

    // Without the token: refused like any stranger.
    const without = await signUp({ email });
    expect(without.status).toBe(403);
    expect(without.json.errors?.[0]).toMatchObject({ code: "forbidden", field: "email", message: SIGN_UP_RESTRICTED_MESSAGE });
    // The token for another address: refused, and says so.
    const otherEmail = await signUp({ email: emailAt("guests.test"), invitation: token });
    expect(otherEmail.status).toBe(403);
    expect(otherEmail.json.errors?.[0]?.message).toMatch(/for another email address/);

    const started = await signUp({ email: email.toUpperCase(), invitation: token });
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    expect(started.json.status).toBe("needs_verification");
    const verified = await verifyCodeRoute(
      makeRequest("/api/auth/email/verify-code", { body: { attemptId: started.json.attemptId, code: await latestEmailCode(email.toUpperCase()) }, jar: started.jar }),
    );
    expect(verified.status).toBe(200);
    const user = await db.user.findFirstOrThrow({ where: { emailAddresses: { some: { emailNormalized: email } } } });
    const row = await db.invitation.findUniqueOrThrow({ where: { id: created.json.invitation!.id } });
    expect(row.acceptedAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { type: "invitation.accepted", targetId: row.id, actorId: user.id } })).toBe(1);
    expect(await inspectInvitation(token)).toEqual({ state: "accepted" });

    // Once: the same token does not open another sign-up.
    const again = await signUp({ email, invitation: token });
    expect(again.status).toBe(403);
    expect(again.json.errors?.[0]?.message).toMatch(/already been used/);
  });

  it("an expired or revoked invitation is refused; inviting again replaces the pending one", async () => {
    const { jar } = await admin();
    await invitationMode();
    const expiredEmail = emailAt("guests.test");
    const expired = await invite(jar, expiredEmail);
    await db.invitation.update({ where: { id: expired.json.invitation!.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await signUp({ email: expiredEmail, invitation: await invitationToken(expiredEmail) });
    expect(late.status).toBe(403);
    expect(late.json.errors?.[0]?.message).toMatch(/expired/);

    const revokedEmail = emailAt("guests.test");
    const first = await invite(jar, revokedEmail);
    const firstToken = await invitationToken(revokedEmail);
    const second = await invite(jar, revokedEmail);
    expect(await inspectInvitation(firstToken)).toEqual({ state: "revoked" });
    const secondToken = await invitationToken(revokedEmail);
    const revoke = await revokeRoute(makeRequest(`/api/admin/invitations/${second.json.invitation!.id}/revoke`, { body: {}, jar }), {
      params: Promise.resolve({ id: second.json.invitation!.id }),
    });
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as Json).invitation?.status).toBe("revoked");
    expect(await db.auditEvent.count({ where: { type: "invitation.revoked", targetId: second.json.invitation!.id } })).toBe(1);
    const withdrawn = await signUp({ email: revokedEmail, invitation: secondToken });
    expect(withdrawn.status).toBe(403);
    expect(withdrawn.json.errors?.[0]?.message).toMatch(/withdrawn/);
    expect(await db.user.count({ where: { emailAddresses: { some: { emailNormalized: { in: [expiredEmail, revokedEmail] } } } } })).toBe(0);

    const list = await listRoute(makeRequest("/api/admin/invitations", { jar }));
    const statuses = Object.fromEntries(((await list.json()) as Json).invitations!.map((row) => [row.id, row.status]));
    expect(statuses).toMatchObject({ [expired.json.invitation!.id]: "expired", [first.json.invitation!.id]: "revoked", [second.json.invitation!.id]: "revoked" });
  });

  it("refuses to invite an existing account or a blocklisted address; non-admins cannot invite", async () => {
    const { jar } = await admin();
    const existing = await signedUpUser();
    const before = await db.invitation.count();
    const taken = await invite(jar, existing.email);
    expect(taken.status).toBe(409);
    expect(taken.json.errors?.[0]?.field).toBe("email");
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ blocklist: ["blocked.test"] }, { expectedVersion: version });
    const blocked = await invite(jar, emailAt("blocked.test"));
    expect(blocked.status).toBe(400);
    expect(blocked.json.errors?.[0]?.field).toBe("email");
    const bad = await invite(jar, "not an email");
    expect(bad.status).toBe(400);

    const notAdmin = await invite(existing.jar, emailAt("guests.test"));
    expect(notAdmin.status).toBe(403);
    expect(await db.invitation.count()).toBe(before);
  });

  it("the allowlist still signs up without an invitation in invitation mode", async () => {
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ signUpMode: "invitation", allowlist: ["staff.test"] }, { expectedVersion: version });
    const user = await signedUpUser({ email: emailAt("staff.test") });
    expect(user.userId).toMatch(/^user_/);
  });
});
