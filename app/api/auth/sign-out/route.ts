import { z } from "zod";
import { handler, json } from "@/lib/http";
import { clearAuthCookies, readClientToken, requestContext, signOut } from "@/lib/session";

const body = z.strictObject({ scope: z.enum(["session", "all"]).default("session") });

export const POST = handler({ body }, async ({ request, body }) => {
  await signOut(readClientToken(request), body.scope, requestContext(request));
  const response = json({ redirectUrl: "/sign-in" });
  clearAuthCookies(response, request);
  return response;
});
