/**
 * Runs once per server process (Next.js instrumentation hook). On a
 * self-hosted Node server it starts the in-process sender of the queue (mail,
 * SMS, webhooks; S12); serverless deployments rely on /api/cron/outbox
 * instead, and OUTBOX_LOOP=off turns the loop off anywhere. It also hands
 * scripts/server.mjs (`npm start`) the shutdown to run on SIGTERM.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareForShutdown } = await import("./lib/background/shutdown");
  prepareForShutdown();
  // Vercel functions are frozen between requests: there the cron route does the sending.
  if (process.env.OUTBOX_LOOP === "off" || process.env.VERCEL) return;
  const { startBackgroundLoop } = await import("./lib/background/drain");
  startBackgroundLoop();
}
