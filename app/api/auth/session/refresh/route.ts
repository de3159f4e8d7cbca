import { z } from "zod";
import { errorResponse, handler, json } from "@/lib/http";
import { clearAuthCookies, readClientToken, refreshSessionToken, requestContext, setAuthCookies, UnknownClientError } from "@/lib/session";

// The page's SessionRefresher calls this every 50 s so navigations rarely need the handshake (S2).
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  try {
    const issued = await refreshSessionToken(readClientToken(request), requestContext(request));
    const response = json({ expiresAt: issued.expiresAt });
    setAuthCookies(response, request, issued);
    return response;
  } catch (error) {
    const response = errorResponse(error);
    // An unknown client cookie may have been replaced while this request was in flight: leave the newer cookies alone.
    if (response.status === 401 && !(error instanceof UnknownClientError)) clearAuthCookies(response, request);
    return response;
  }
});
