import { handler, json } from "@/lib/http";
import { listSecurityKeys } from "@/lib/mfa";
import { requireRequestAuth } from "@/lib/session";

/** The signed-in user's security keys (second factor only; passkeys are at /api/account/passkeys). */
export const GET = handler({}, async ({ request }) => json({ securityKeys: await listSecurityKeys((await requireRequestAuth(request)).userId) }));
