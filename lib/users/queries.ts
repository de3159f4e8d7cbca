import "server-only";
import { db } from "@/lib/db";
import type { User } from "@/lib/generated/prisma/client";
import { normalizeEmail } from "./email";

export type UserProfile = {
  id: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  role: "user" | "admin";
  createdAt: Date;
};

export type AccountByEmail = { address: { id: string; verified: boolean }; user: User };

/**
 * The account an address signs in to (S10): the one that VERIFIED it. An
 * unverified address counts only as the primary address of an account made
 * with verification at sign-up turned off, and only while nobody has verified
 * that address (`allowUnverifiedPrimary`: password sign-in and password reset;
 * emailed sign-in codes and links need a verified address). Anything else
 * (an address someone typed into their own account but never proved) signs
 * in to nothing.
 */
export async function findAccountByEmail(
  email: string,
  options: { allowUnverifiedPrimary: boolean },
): Promise<AccountByEmail | null> {
  const rows = await db.emailAddress.findMany({
    where: { emailNormalized: normalizeEmail(email) },
    include: { user: true },
    orderBy: { createdAt: "asc" },
    take: 10,
  });
  const verified = rows.find((row) => row.verified);
  const chosen =
    verified ??
    (options.allowUnverifiedPrimary ? rows.find((row) => row.user.primaryEmailAddressId === row.id) : undefined);
  return chosen ? { address: { id: chosen.id, verified: chosen.verified }, user: chosen.user } : null;
}

export async function getUserProfile(userId: string): Promise<UserProfile | null> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) return null;
  const primary = user.primaryEmailAddressId
    ? await db.emailAddress.findUnique({ where: { id: user.primaryEmailAddressId } })
    : null;
  return {
    id: user.id,
    email: primary?.email ?? null,
    emailVerified: primary?.verified ?? false,
    firstName: user.firstName,
    lastName: user.lastName,
    imageUrl: user.imageUrl,
    role: user.role,
    createdAt: user.createdAt,
  };
}
