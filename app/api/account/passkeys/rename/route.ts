import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { renamePasskey } from "@/lib/passkeys";
import { passkeyNameField } from "@/lib/passkeys/schemas";
import { requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ passkeyId: idField("passkeyId"), name: passkeyNameField });

export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Passkeys");
  return json({ passkey: await renamePasskey({ userId: auth.userId, ...body }) });
});
