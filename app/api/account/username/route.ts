import { z } from "zod";
import { handler, json, safeText } from "@/lib/http";
import { requireRequestAuth } from "@/lib/session";
import { checkUsername } from "@/lib/users";

const query = z.strictObject({ value: safeText({ max: 100, label: "Username" }) });

/** The live username check (S7): `{ username, available, message }`; the user's own name counts as available. */
export const GET = handler({ query }, async ({ request, query }) => {
  const auth = await requireRequestAuth(request);
  return json(await checkUsername(query.value, auth.userId));
});
