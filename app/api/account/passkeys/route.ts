import { handler, json } from "@/lib/http";
import { listPasskeys } from "@/lib/passkeys";
import { requireRequestAuth } from "@/lib/session";

/** The signed-in user's passkeys (S7). */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json({ passkeys: await listPasskeys(auth.userId) });
});
