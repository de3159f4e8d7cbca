import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies, switchActiveSession } from "@/lib/session";

const body = z.strictObject({ sessionId: idField("sessionId") });

/** Makes another account signed in on this browser the active one; its token is set in this response. */
export const POST = handler({ body }, async ({ request, body }) => {
  const issued = await switchActiveSession(readClientToken(request), body.sessionId, requestContext(request));
  const response = json({ status: "switched", userId: issued.userId });
  setAuthCookies(response, request, { sessionToken: issued.sessionToken });
  return response;
});
