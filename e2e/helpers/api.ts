import type { APIRequestContext } from "@playwright/test";

const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:3000";

/**
 * A state-changing API call made by a test in place of one of our pages. Pages'
 * fetches carry `Origin`; the portal refuses state-changing requests without it
 * (S10), so the test sends what the page would.
 */
export function postAsPage(request: APIRequestContext, path: string, data: unknown, headers: Record<string, string> = {}) {
  return request.post(path, { data, headers: { origin: new URL(baseURL).origin, ...headers } });
}
