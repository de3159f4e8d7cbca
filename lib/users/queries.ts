import "server-only";
import { db } from "@/lib/db";
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

export async function findUserByEmail(email: string) {
  const address = await db.emailAddress.findUnique({
    where: { emailNormalized: normalizeEmail(email) },
    include: { user: true },
  });
  return address?.user ?? null;
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
