import { apiHandler, verifySessionTokenFromApi, V1 } from "@/lib/api";

/** POST /api/v1/tokens/verify: a session token's claims, if it verifies and its session is active (S9). */
export const POST = apiHandler(V1.verifySessionToken, async ({ request, body }) => verifySessionTokenFromApi(body.token, request.nextUrl.origin));
