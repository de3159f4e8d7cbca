import { z } from "zod";
import { emailField, handler, humanProofFields, json } from "@/lib/http";
import { requestContext } from "@/lib/session";
import { sendPasswordReset } from "@/lib/sign-in";

const body = z.strictObject({ email: emailField, botSolution: humanProofFields.botSolution });

/** Same answer for known and unknown addresses (S10). */
export const POST = handler({ body }, async ({ request, body }) =>
  json(await sendPasswordReset(body, requestContext(request))),
);
