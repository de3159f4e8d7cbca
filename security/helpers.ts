import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { hashPassword } from "@/lib/password";
import { CookieJar, STRONG_PASSWORD, makeRequest, uniqueEmail } from "@/test/http";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";

/**
 * A password account written straight to the DB (verified email), so the
 * security suite does not depend on how sign-up asks for verification.
 */
export async function passwordUser(options: { email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail("sec");
  const password = options.password ?? STRONG_PASSWORD;
  const { hash, cost } = await hashPassword(password);
  const userId = newId("user");
  const emailId = newId("identification");
  await db.$transaction(async (tx) => {
    await tx.user.create({ data: { id: userId, passwordHash: hash, passwordCost: cost, passwordChangedAt: new Date() } });
    await tx.emailAddress.create({
      data: { id: emailId, userId, email, emailNormalized: email.toLowerCase(), verified: true, verifiedAt: new Date() },
    });
    await tx.user.update({ where: { id: userId }, data: { primaryEmailAddressId: emailId } });
  });
  return { email, password, userId };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A different documentation-range IP per call (RFC 5737), for "many IPs" attacks. */
let ipCounter = 0;
export function nextIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** A password account signed in through the real sign-in route; the jar holds __client and __session. */
export async function signedInUser(options: { ip?: string } = {}) {
  const user = await passwordUser();
  const jar = new CookieJar();
  const response = await signInRoute(
    makeRequest("/api/auth/sign-in", { body: { email: user.email, password: user.password }, jar, headers: { "x-forwarded-for": options.ip ?? nextIp() } }),
  );
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  jar.absorb(response);
  return { ...user, jar };
}
