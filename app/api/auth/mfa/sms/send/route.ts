import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { sendSecondFactorSms } from "@/lib/mfa";
import { readClientToken, requestContext } from "@/lib/session";

const body = z.strictObject({ attemptId: idField("attemptId") });

/** "Text me a code" on the second-factor step (S6). */
export const POST = handler({ body }, async ({ request, body }) =>
  json(await sendSecondFactorSms({ attemptId: body.attemptId, clientToken: readClientToken(request) }, requestContext(request))),
);
