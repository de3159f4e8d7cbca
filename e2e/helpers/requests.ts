import type { BrowserContext, Request } from "@playwright/test";

/** Records every request the context makes (redirect hops included). */
export function recordRequests(context: BrowserContext): { urls: URL[]; paths(): string[] } {
  const urls: URL[] = [];
  context.on("request", (request: Request) => {
    urls.push(new URL(request.url()));
  });
  return { urls, paths: () => urls.map((url) => url.pathname) };
}
