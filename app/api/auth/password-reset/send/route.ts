import { z } from "zod";
import { emailField, handler, humanProofFields, json, phoneField } from "@/lib/http";
import { requestContext } from "@/lib/session";
import { sendPasswordReset, sendPasswordResetSms } from "@/lib/sign-in";

/** `{ email }` emails a code + link; `{ phone }` texts a code (issue 19). Exactly one. */
const body = z
  .strictObject({ email: emailField.optional(), phone: phoneField.optional(), botSolution: humanProofFields.botSolution })
  .refine((value) => (value.email === undefined) !== (value.phone === undefined), { message: "Enter your email address.", path: ["email"] });

/** Same answer for known and unknown addresses and numbers (S10). */
export const POST = handler({ body }, async ({ request, body }) =>
  json(
    body.phone !== undefined
      ? await sendPasswordResetSms({ phone: body.phone, botSolution: body.botSolution }, requestContext(request))
      : await sendPasswordReset({ email: body.email!, botSolution: body.botSolution }, requestContext(request)),
  ),
);
