import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { requireRecentVerification, startTotpEnrolment } from "@/lib/mfa";
import { requireOwnRequestAuth } from "@/lib/session";
import { getUserProfile } from "@/lib/users";

/** Step 1 of adding an authenticator app: secret, QR code (SVG), otpauth link. Needs a recent verification. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  await requireRecentVerification(auth);
  const user = await getUserProfile(auth.userId);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const issuer = process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";
  return json(await startTotpEnrolment(auth.userId, { issuer, accountName: user.email ?? user.id }));
});
