import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { uniqueEmail } from "@/test/http";
import {
  assertResendAllowed,
  checkCode,
  consumeVerification,
  generateCode,
  issueVerification,
  verificationState,
} from "./codes";

async function issue(now = new Date()) {
  return db.$transaction((tx) =>
    issueVerification(tx, { purpose: "verify_email", identifier: uniqueEmail("codes") }, now),
  );
}

describe("verification codes and links (S4)", () => {
  it("generates 6-digit codes (leading zeros kept) and 256-bit link tokens, storing neither in clear", async () => {
    const codes = Array.from({ length: 2000 }, generateCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(codes.some((code) => code.startsWith("0"))).toBe(true);
    const issued = await issue();
    expect(Buffer.from(issued.linkToken, "base64url")).toHaveLength(32);
    const row = await db.verification.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.codeHash).not.toContain(issued.code);
    expect(row.linkTokenHash).not.toBe(issued.linkToken);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(10 * 60_000);
  });

  it("accepts the right code once and refuses it after consumption", async () => {
    const issued = await issue();
    await expect(checkCode(issued.id, issued.code)).resolves.toBeUndefined();
    await db.$transaction((tx) => consumeVerification(tx, issued.id));
    await expect(checkCode(issued.id, issued.code)).rejects.toMatchObject({ code: "verification_used" });
    await expect(db.$transaction((tx) => consumeVerification(tx, issued.id))).rejects.toMatchObject({
      code: "verification_used",
    });
  });

  it("rejects malformed codes as wrong tries", async () => {
    const issued = await issue();
    await expect(checkCode(issued.id, "12345")).rejects.toMatchObject({ code: "verification_incorrect" });
    await expect(checkCode(issued.id, `${issued.code} `.trim() + "0")).rejects.toMatchObject({
      code: "verification_incorrect",
    });
    expect((await db.verification.findUniqueOrThrow({ where: { id: issued.id } })).attempts).toBe(2);
    expect(await db.auditEvent.count({ where: { type: "verification.failed", targetId: issued.id } })).toBe(2);
  });

  it("reports states: valid, expired, used, voided", () => {
    const now = new Date();
    const base = { consumedAt: null, expiresAt: new Date(now.getTime() + 1000), attempts: 0, maxAttempts: 5 };
    expect(verificationState(base, now)).toBe("valid");
    expect(verificationState({ ...base, expiresAt: now }, now)).toBe("expired");
    expect(verificationState({ ...base, consumedAt: now }, now)).toBe("used");
    expect(verificationState({ ...base, attempts: 5 }, now)).toBe("voided");
  });

  it("a new email for the same address and purpose voids the previous one; the cooldown is 30 s", async () => {
    const identifier = uniqueEmail("supersede");
    const start = new Date();
    const first = await db.$transaction((tx) =>
      issueVerification(tx, { purpose: "reset_password", identifier }, start),
    );
    await expect(
      assertResendAllowed({ identifier, purpose: "reset_password" }, new Date(start.getTime() + 29_000)),
    ).rejects.toMatchObject({
      code: "rate_limited",
      retryAfter: 1,
    });
    const later = new Date(start.getTime() + 30_000);
    await expect(assertResendAllowed({ identifier, purpose: "reset_password" }, later)).resolves.toBeUndefined();
    const second = await db.$transaction((tx) =>
      issueVerification(tx, { purpose: "reset_password", identifier }, later),
    );
    await expect(checkCode(first.id, first.code, later)).rejects.toMatchObject({ code: "verification_expired" });
    await expect(checkCode(second.id, second.code, later)).resolves.toBeUndefined();
  });
});
