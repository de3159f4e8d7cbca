import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { newId } from "@/lib/ids";
import { makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import {
  notifyPrimaryEmailChanged,
  preparePrimaryEmailChangedNotice,
  sendEmailAddressVerification,
  verifyEmailAddressCode,
} from "@/lib/verification";

const mail = useTestSmtp();
const issuer = "http://localhost:3000";

async function addUnverifiedAddress(userId: string) {
  const email = uniqueEmail("added");
  const id = newId("identification");
  await db.emailAddress.create({ data: { id, userId, email, emailNormalized: email } });
  return { id, email };
}

describe("verifying an added email address (S4)", () => {
  it("by code", async () => {
    const { userId } = await signedUpUser();
    const address = await addUnverifiedAddress(userId);
    expect(await sendEmailAddressVerification({ userId, emailAddressId: address.id }, { issuer })).toEqual({
      status: "sent",
      resendAfter: 30,
    });
    const message = await mail.deliver(address.email);
    expect(message.subject).toMatch(/verification code/);
    const { code } = extractCodeAndLink(message);
    // Another user cannot use it.
    const other = await signedUpUser();
    await expect(
      verifyEmailAddressCode({ userId: other.userId, emailAddressId: address.id, code }),
    ).rejects.toMatchObject({ code: "not_found" });
    await verifyEmailAddressCode({ userId, emailAddressId: address.id, code });
    expect(await db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).toMatchObject({ verified: true });
    expect(await db.auditEvent.count({ where: { type: "email.verified", targetId: address.id, actorId: userId } })).toBe(1);
    expect(await sendEmailAddressVerification({ userId, emailAddressId: address.id }, { issuer })).toMatchObject({
      status: "already_verified",
    });
  });

  it("by link through the confirm page's POST, once, only in a browser signed in as the owner", async () => {
    const { userId, jar } = await signedUpUser();
    const address = await addUnverifiedAddress(userId);
    await sendEmailAddressVerification({ userId, emailAddressId: address.id }, { issuer });
    const token = new URL(extractCodeAndLink(await mail.deliver(address.email)).link).searchParams.get("token");
    // Anywhere else (an attacker who added the victim's address to their own account and waits for the
    // victim's click, or just another device) the link confirms nothing.
    const elsewhere = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token } }));
    expect(await elsewhere.json()).toMatchObject({ status: "open_on_original_device" });
    expect(await db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).toMatchObject({ verified: false });

    const first = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token }, jar }));
    expect(await first.json()).toEqual({ status: "email_verified" });
    expect(await db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).toMatchObject({ verified: true });
    const second = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token }, jar }));
    expect(second.status).toBe(410);
  });

  it("an address verified by its owner cannot be verified by anyone else (one verified row per address)", async () => {
    const owner = await signedUpUser();
    const squatter = await signedUpUser();
    // The squatter's unverified row for the owner's address exists, but can never become verified.
    const id = newId("identification");
    await db.emailAddress.create({ data: { id, userId: squatter.userId, email: owner.email, emailNormalized: owner.email } });
    await sendEmailAddressVerification({ userId: squatter.userId, emailAddressId: id }, { issuer });
    const { code } = extractCodeAndLink(await mail.deliver(owner.email));
    await expect(verifyEmailAddressCode({ userId: squatter.userId, emailAddressId: id, code })).rejects.toMatchObject({
      code: "email_taken",
    });
    expect(await db.emailAddress.count({ where: { emailNormalized: owner.email, verified: true } })).toBe(1);
  });

  it("notifies the old primary address when the primary changes", async () => {
    const oldEmail = uniqueEmail("oldprimary");
    const notice = await preparePrimaryEmailChangedNotice({ oldEmail, newEmail: "new@example.com", issuer });
    await db.$transaction((tx) => notifyPrimaryEmailChanged(tx, notice));
    const message = await mail.deliver(oldEmail);
    expect(message.subject).toMatch(/email address was changed/);
    expect(message.text).toContain("new@example.com");
  });
});
