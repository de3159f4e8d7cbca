import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createMemoryStore, setRateLimitStore } from "@/lib/ratelimit";
import { uniqueEmail } from "@/test/http";
import {
  assertResendAllowed,
  chargeEmailSend,
  checkCode,
  consumeVerification,
  generateCode,
  newVerificationSecrets,
  storeVerification,
  verificationState,
} from "./codes";
import { steadyMemoryStore } from "@/test/rate-limit";
import { newAuthSecret, useAuthSecrets } from "@/test/auth-secret";

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

async function issue(
  now = new Date(),
  input: { purpose?: "verify_email" | "reset_password"; identifier?: string } = {},
) {
  const secrets = newVerificationSecrets();
  const identifier = input.identifier ?? uniqueEmail("codes");
  await db.$transaction((tx) =>
    storeVerification(tx, secrets, { purpose: input.purpose ?? "verify_email", identifier }, now),
  );
  return { ...secrets, identifier };
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
    await expect(checkCode(issued, issued.code)).resolves.toBeUndefined();
    await db.$transaction((tx) => consumeVerification(tx, issued.id));
    await expect(checkCode(issued, issued.code)).rejects.toMatchObject({ code: "verification_used" });
    await expect(db.$transaction((tx) => consumeVerification(tx, issued.id))).rejects.toMatchObject({
      code: "verification_used",
    });
  });

  it("a code mailed before AUTH_SECRET changed works while AUTH_SECRET_PREVIOUS is set, and not after", async () => {
    const oldSecret = newAuthSecret();
    const newSecret = newAuthSecret();
    let restore = useAuthSecrets(oldSecret);
    const before = await issue();
    const beforeAgain = await issue();
    restore();
    restore = useAuthSecrets(newSecret, oldSecret);
    try {
      await expect(checkCode(before, before.code)).resolves.toBeUndefined();
      const during = await issue();
      restore();
      restore = useAuthSecrets(newSecret);
      await expect(checkCode(during, during.code)).resolves.toBeUndefined();
      await expect(checkCode(beforeAgain, beforeAgain.code)).rejects.toMatchObject({ code: "verification_incorrect" });
    } finally {
      restore();
    }
  });

  it("rejects malformed codes as wrong tries", async () => {
    const issued = await issue();
    await expect(checkCode(issued, "12345")).rejects.toMatchObject({ code: "verification_incorrect" });
    await expect(checkCode(issued, `${issued.code} `.trim() + "0")).rejects.toMatchObject({
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
    const first = await issue(start, { purpose: "reset_password", identifier });
    await expect(
      assertResendAllowed({ identifier, purpose: "reset_password" }, new Date(start.getTime() + 29_000)),
    ).rejects.toMatchObject({
      code: "rate_limited",
      retryAfter: 1,
      message: "Please wait 1 second before requesting another email.",
    });
    await expect(
      assertResendAllowed({ identifier, purpose: "reset_password" }, new Date(start.getTime() + 20_000)),
    ).rejects.toMatchObject({ retryAfter: 10, message: "Please wait 10 seconds before requesting another email." });
    const later = new Date(start.getTime() + 30_000);
    await expect(assertResendAllowed({ identifier, purpose: "reset_password" }, later)).resolves.toBeUndefined();
    const second = await issue(later, { purpose: "reset_password", identifier });
    await expect(checkCode(first, first.code, later)).rejects.toMatchObject({ code: "verification_expired" });
    await expect(checkCode(second, second.code, later)).resolves.toBeUndefined();
  });

  it("budgets wrong codes per address across fresh codes: 15 per hour, then even the right code waits (S10)", async () => {
    const identifier = uniqueEmail("guesser");
    let wrong = 0;
    // Three fresh codes, 5 wrong guesses each: every code voids itself, and the address's budget runs out.
    for (let round = 0; round < 3; round++) {
      const issued = await issue(new Date(), { identifier });
      for (let guess = 0; guess < 5; guess++) {
        const code = issued.code === "000000" ? "111111" : "000000";
        await expect(checkCode(issued, code)).rejects.toMatchObject({ code: expect.stringMatching(/verification_(incorrect|voided)/) });
        wrong++;
      }
    }
    expect(wrong).toBe(15);
    const fourth = await issue(new Date(), { identifier });
    const refused = await checkCode(fourth, fourth.code).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/Try again in \d+ (minutes?|seconds?)\./) });
    // Nothing was counted on the fresh code: the refusal happened before it was tried.
    expect((await db.verification.findUniqueOrThrow({ where: { id: fourth.id } })).attempts).toBe(0);
    // Another address is not affected.
    const other = await issue();
    await expect(checkCode(other, other.code)).resolves.toBeUndefined();
  });

  it("charges every email to the address: 3 per 10 minutes per flow, 20 per day in all (S10)", async () => {
    const identifier = uniqueEmail("mailbomb");
    for (let send = 0; send < 3; send++) await chargeEmailSend(identifier, "sign_in");
    await expect(chargeEmailSend(identifier, "sign_in")).rejects.toMatchObject({
      code: "rate_limited",
      message: expect.stringMatching(/^Too many emails to this address\. Try again in \d+ (minutes?|seconds?)\.$/),
    });
    await expect(chargeEmailSend(uniqueEmail("other"), "sign_in")).resolves.toBeUndefined();
    // Another flow for the same address has its own 10-minute budget.
    await expect(chargeEmailSend(identifier, "reset_password")).resolves.toBeUndefined();
  });

  it("caps emails to one address at 20 per day across flows, however they are spread in time", async () => {
    // Early in a UTC day: the sends below span ~2 h, which must not cross midnight into the next day's window.
    const today = new Date();
    let clock = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 1, 0, 0);
    setRateLimitStore(createMemoryStore({ now: () => clock }));
    const identifier = uniqueEmail("daily");
    for (let send = 0; send < 20; send++) {
      await chargeEmailSend(identifier, send % 2 ? "sign_in" : "reset_password");
      if (send % 2) clock += 11 * 60_000; // past each flow's 10 minutes, well within the day
    }
    await expect(chargeEmailSend(identifier, "reset_password")).rejects.toMatchObject({ code: "rate_limited" });
  });
});
