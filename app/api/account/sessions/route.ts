import { handler, json } from "@/lib/http";
import { listDevices, requireRequestAuth } from "@/lib/session";

/** The signed-in user's active devices (S7); "current" marks this one. */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json({ devices: await listDevices(auth.userId, auth.sessionId) });
});
