import { z } from "zod";
import { handler, json } from "@/lib/http";
import { verifyPasswordReset } from "@/lib/sign-in";

const body = z.union([
  z.strictObject({
    resetId: z.string().min(1).max(64),
    code: z
      .string({ error: "Enter the 6-digit code." })
      .trim()
      .regex(/^\d{6}$/, "Enter the 6-digit code from the email."),
  }),
  z.strictObject({ token: z.string().min(1).max(128) }),
]);

/** A correct code (or a still-valid link token) yields the token that `complete` takes. */
export const POST = handler({ body }, async ({ body }) => json(await verifyPasswordReset(body)));
