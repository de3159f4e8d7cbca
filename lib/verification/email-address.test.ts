import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { newId } from "@/lib/ids";
import { makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { notifyPrimaryEmailChanged, sendEmailAddressVerification, verifyEmailAddressCode } from "@/lib/verification";

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

  it("by link through the confirm page's POST, once", async () => {
    const { userId } = await signedUpUser();
    const address = await addUnverifiedAddress(userId);
    await sendEmailAddressVerification({ userId, emailAddressId: address.id }, { issuer });
    const token = new URL(extractCodeAndLink(await mail.deliver(address.email)).link).searchParams.get("token");
    const first = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token } }));
    expect(await first.json()).toEqual({ status: "email_verified" });
    expect(await db.emailAddress.findUniqueOrThrow({ where: { id: address.id } })).toMatchObject({ verified: true });
    const second = await confirmLinkRoute(makeRequest("/api/auth/email/confirm-link", { body: { token } }));
    expect(second.status).toBe(410);
  });

  it("notifies the old primary address when the primary changes", async () => {
    const oldEmail = uniqueEmail("oldprimary");
    await db.$transaction((tx) => notifyPrimaryEmailChanged(tx, { oldEmail, newEmail: "new@example.com", issuer }));
    const message = await mail.deliver(oldEmail);
    expect(message.subject).toMatch(/email address was changed/);
    expect(message.text).toContain("new@example.com");
  });
});
