import { z } from "zod";
import { handler, json } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { verifyEmailCode } from "@/lib/sign-in";

const body = z.strictObject({
  attemptId: z.string().min(1).max(64),
  code: z
    .string({ error: "Enter the 6-digit code." })
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code from the email."),
});

export const POST = handler({ body }, async ({ request, body }) => {
  const result = await verifyEmailCode({ ...body, clientToken: readClientToken(request) }, requestContext(request));
  if (result.status !== "complete") return json(result);
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
