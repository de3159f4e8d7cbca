import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { securityKeySignInOptions } from "@/lib/mfa";
import { readClientToken, requestContext } from "@/lib/session";

const body = z.strictObject({ attemptId: idField("attemptId") });

/** "Use your security key" on the second-factor step: the user's keys and a challenge bound to this attempt. */
export const POST = handler({ body }, async ({ request, body }) =>
  json(await securityKeySignInOptions({ attemptId: body.attemptId, clientToken: readClientToken(request) }, requestContext(request))),
);
