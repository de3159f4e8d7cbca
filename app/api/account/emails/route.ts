import { handler, json } from "@/lib/http";
import { requireRequestAuth } from "@/lib/session";
import { listEmailAddresses } from "@/lib/users";

/** The signed-in user's email addresses (S7): primary first, verified or not. */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json({ emailAddresses: await listEmailAddresses(auth.userId) });
});
