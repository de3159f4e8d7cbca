import { z } from "zod";
import { codeField, handler, idField, json } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { verifyEmailCode } from "@/lib/sign-in";

const body = z.strictObject({
  attemptId: idField("attemptId"),
  code: codeField,
});

export const POST = handler({ body }, async ({ request, body }) => {
  const result = await verifyEmailCode({ ...body, clientToken: readClientToken(request) }, requestContext(request));
  if (result.status !== "complete") return json(result);
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
