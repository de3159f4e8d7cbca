import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { authenticateRequest } from "@/lib/session";
import { getUserProfile } from "@/lib/users";

/** The signed-in user and session, for client code (`useUser`, `useSession`). */
export const GET = handler({}, async ({ request }) => {
  const state = await authenticateRequest(request);
  const user = state ? await getUserProfile(state.userId) : null;
  if (!state || !user) throw new AppError("unauthenticated", "Sign in to continue.");
  return json({
    user,
    session: { id: state.sessionId, expiresAt: state.claims.exp, actor: state.actor },
  });
});
