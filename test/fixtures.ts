import { db } from "@/lib/db";
import { CookieJar, STRONG_PASSWORD, makeRequest, uniqueEmail } from "./http";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";

/** Signs a fresh user up through the real route; returns their email, id and a cookie jar holding the session. */
export async function signedUpUser(options: { email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? STRONG_PASSWORD;
  const jar = new CookieJar();
  const response = await signUpRoute(makeRequest("/api/auth/sign-up", { body: { email, password }, jar }));
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  jar.absorb(response);
  const user = await db.user.findFirstOrThrow({ where: { emailAddresses: { some: { emailNormalized: email.toLowerCase() } } } });
  return { email, password, jar, userId: user.id };
}
