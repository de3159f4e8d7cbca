import { z } from "zod";
import { emailField, handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { createInvitation, listInvitations } from "@/lib/users";

/** Invitations to sign up (S8), newest first. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json({ invitations: await listInvitations() }));

const body = z.strictObject({ email: emailField });

/** Invites an address: the email goes out through the outbox; inviting again replaces the pending invitation. */
export const POST = handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
  const { ip, userAgent, issuer } = requestContext(request);
  const invitation = await createInvitation(body, { actorId: auth.userId, ip, userAgent, issuer });
  return json({ invitation }, { status: 201 });
});
