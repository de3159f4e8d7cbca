import { z } from "zod";
import { handler, json, tokenField } from "@/lib/http";
import { requestContext } from "@/lib/session";
import { denyEmailLink } from "@/lib/sign-in";

const body = z.strictObject({ token: tokenField });

/** "This wasn't me" on the confirm page: voids the emailed code and link and the attempt behind them (S4). */
export const POST = handler({ body }, async ({ request, body }) => json(await denyEmailLink(body, requestContext(request))));
