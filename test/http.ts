import { NextRequest } from "next/server";

export const ORIGIN = "http://localhost:3000";

/** A browser-like cookie jar for driving route handlers in tests. */
export class CookieJar {
  readonly values = new Map<string, string>();

  header(): string {
    return [...this.values.entries()].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Applies every Set-Cookie of a response, honouring deletions (Max-Age=0). */
  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.values.delete(name);
      else this.values.set(name, value);
    }
  }
}

export type RequestOptions = {
  method?: string;
  body?: unknown;
  rawBody?: string;
  jar?: CookieJar;
  headers?: Record<string, string>;
};

/** A same-origin browser request to `path` (JSON body unless rawBody is given). */
export function makeRequest(path: string, options: RequestOptions = {}): NextRequest {
  const method = options.method ?? (options.body !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  const headers: Record<string, string> = { "user-agent": "vitest", ...options.headers };
  if (method !== "GET" && !("origin" in headers)) headers.origin = ORIGIN;
  if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] ??= "application/json";
  if (options.jar && options.jar.values.size > 0) headers.cookie = options.jar.header();
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  return new NextRequest(new URL(path, ORIGIN), { method, headers, body });
}

export function uniqueEmail(label = "user"): string {
  return `${label}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const STRONG_PASSWORD = "correct horse battery staple 42";

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}
