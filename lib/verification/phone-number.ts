import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";

export const PHONE_IN_USE_MESSAGE = "This number is already in use by another account.";

/**
 * Marks a phone number row verified (its SMS code came back). The partial
 * unique index allows one VERIFIED row per number: if another account proved
 * it first, this one stays unverified and the caller hears `phone_taken`.
 * Only the holder of the phone (who got the code) can reach that answer.
 */
export async function markPhoneNumberVerified(tx: Tx, phoneNumberId: string, now: Date): Promise<{ userId: string; phone: string }> {
  try {
    return await tx.phoneNumber.update({
      where: { id: phoneNumberId },
      data: { verified: true, verifiedAt: now },
      select: { userId: true, phone: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("phone_taken", PHONE_IN_USE_MESSAGE, { fields: { phone: [PHONE_IN_USE_MESSAGE] } });
    }
    throw error;
  }
}
