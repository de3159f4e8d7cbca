import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { emailAttemptStatus } from "@/lib/sign-in";

const query = z.strictObject({ attemptId: idField("attemptId") });

/**
 * Polled by the tab that asked for the email. When the link was confirmed on
 * another device, this is where the original browser's session opens.
 */
export const GET = handler({ query }, async ({ request, query }) => {
  const result = await emailAttemptStatus(
    { attemptId: query.attemptId, clientToken: readClientToken(request) },
    requestContext(request),
  );
  if (result.status !== "complete" || !result.session) {
    return json(
      result.status === "complete" ? { status: result.status, redirectUrl: result.redirectUrl ?? "/" } : result,
    );
  }
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
