/**
 * Runs once per server process (Next.js instrumentation hook). On a
 * self-hosted Node server it starts the in-process sender of the queue (mail,
 * SMS, webhooks; S12); serverless deployments rely on /api/cron/outbox
 * instead, and OUTBOX_LOOP=off turns the loop off anywhere.
 */
export async function register(): Promise<void> {
  // Vercel functions are frozen between requests: there the cron route does the sending.
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.OUTBOX_LOOP === "off" || process.env.VERCEL) return;
  const { startBackgroundLoop } = await import("./lib/background/drain");
  startBackgroundLoop();
}
