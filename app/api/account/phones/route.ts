import { handler, json } from "@/lib/http";
import { requireRequestAuth } from "@/lib/session";
import { listPhoneNumbers } from "@/lib/users";

/** The signed-in user's phone numbers (issue 19): primary first, verified or not. */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json({ phoneNumbers: await listPhoneNumbers(auth.userId) });
});
