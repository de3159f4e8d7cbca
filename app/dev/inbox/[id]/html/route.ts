import type { NextRequest } from "next/server";
import { EMAIL_HTML_CSP } from "@/lib/edge";
import { devInboxEnabled, findDevInboxMessage } from "@/lib/email/dev-inbox";

/**
 * One email's HTML, for the dev inbox's sandboxed frame: served from its own
 * URL so it runs under its own CSP (the email's inline styles, no scripts),
 * which an iframe `srcdoc` would not (it inherits the page's nonce-only CSP).
 * Middleware puts the same headers on this path (lib/edge/security-headers.ts).
 */
export async function GET(_request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const message = devInboxEnabled() ? await findDevInboxMessage(id) : null;
  // No HTML either when SMTP delivered it: the body is dropped once sent (lib/email/outbox.ts).
  if (!message?.html) {
    return new Response("Not found.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  return new Response(message.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": EMAIL_HTML_CSP,
      "X-Frame-Options": "SAMEORIGIN",
      "Cache-Control": "no-store",
    },
  });
}

export const dynamic = "force-dynamic";
