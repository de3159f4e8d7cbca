import { z } from "zod";
import { handler, idField, json, smsCodeField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { verifyPhoneCode } from "@/lib/sign-in";

const body = z.strictObject({
  attemptId: idField("attemptId"),
  code: smsCodeField,
});

export const POST = handler({ body }, async ({ request, body }) => {
  const result = await verifyPhoneCode({ ...body, clientToken: readClientToken(request) }, requestContext(request));
  if (result.status !== "complete") return json(result);
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
