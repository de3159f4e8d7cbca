import { getSession } from "../../../lib/session";

// An API route of this app: 401 (from proxy.ts or here) when the token is missing or expired.
export async function GET() {
  const session = await getSession();
  if (!session) return Response.json({ error: "unauthenticated" }, { status: 401 });
  return Response.json({ userId: session.userId, sessionId: session.sessionId, role: session.role });
}
