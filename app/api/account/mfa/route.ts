import { handler, json } from "@/lib/http";
import { getMfaStatus } from "@/lib/mfa";
import { requireRequestAuth } from "@/lib/session";

/** The signed-in user's second factors and backup codes left (S6). */
export const GET = handler({}, async ({ request }) => json(await getMfaStatus((await requireRequestAuth(request)).userId)));
