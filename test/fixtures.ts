import { db } from "@/lib/db";
import { CookieJar, STRONG_PASSWORD, makeRequest, uniqueEmail } from "./http";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";

/**
 * Signs a fresh user up through the real routes; returns their email, id and a
 * cookie jar holding the session. With email verification on (the default),
 * the code is read from the outbox row the sign-up wrote, as a user would read
 * it from the email.
 */
export async function signedUpUser(options: { email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? STRONG_PASSWORD;
  const jar = new CookieJar();
  const response = await signUpRoute(makeRequest("/api/auth/sign-up", { body: { email, password }, jar }));
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  jar.absorb(response);
  const body = (await response.json()) as { status: string; attemptId?: string };
  if (body.status === "needs_verification") {
    const code = await latestEmailCode(email);
    const verified = await verifyCodeRoute(
      makeRequest("/api/auth/email/verify-code", { body: { attemptId: body.attemptId, code }, jar }),
    );
    if (verified.status !== 200) throw new Error(`verification failed: ${verified.status} ${await verified.text()}`);
    jar.absorb(verified);
  }
  const user = await db.user.findFirstOrThrow({
    where: { emailAddresses: { some: { emailNormalized: email.toLowerCase() } } },
  });
  return { email, password, jar, userId: user.id };
}

/** The code in the newest email to `email` (from the outbox row; dev transport keeps the body). */
export async function latestEmailCode(email: string): Promise<string> {
  const message = await db.outboxMessage.findFirst({ where: { to: email }, orderBy: { createdAt: "desc" } });
  const code = (message?.payload as { preview?: { code?: string } } | undefined)?.preview?.code;
  if (!code) throw new Error(`no email with a code for ${email}`);
  return code;
}
