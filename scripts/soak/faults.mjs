// The fault schedule: each fault starts at a fraction of the run and lasts a
// bounded window (scaled down for runs shorter than 5 minutes, with floors).
// A fault's window is [start, end]: from the moment it is injected until the
// faulty part is back (for a kill or a restart: until the readiness probe
// answers 200 again).
import { sleep, waitFor } from "../lib/net.mjs";
import { ready } from "./services.mjs";

/** Fault definitions at full scale (a 5-minute run). */
export function faultSchedule(durationS) {
  const scale = Math.min(1, durationS / 300);
  const span = (seconds, floor) => Math.max(floor, Math.round(seconds * scale));
  // The first `baselineS` have no fault: the protected page's p99 there is the pre-fault reference.
  const baselineS = Math.max(20, 0.1 * durationS);
  const at = (fraction) => Math.round(baselineS + fraction * (durationS - baselineS));
  return {
    baselineS,
    faults: [
      { name: "SIGKILL instance B mid-request, restart it", kind: "kill", at: at(0) },
      { name: "SMTP sink down", kind: "smtp", at: at(0.15), seconds: span(60, 15) },
      { name: "webhook receiver 500, then refusing", kind: "webhook", at: at(0.17), seconds: span(30, 10) },
      { name: "Redis down (A: allow, B: deny)", kind: "redis", at: at(0.45), seconds: span(30, 10) },
      { name: "PostgreSQL restart", kind: "postgres", at: at(0.65) },
      { name: "signing key rotated mid-traffic", kind: "rotate", at: at(0.85) },
    ],
  };
}

/**
 * Runs one fault; resolves with its window { start, end } (ms since epoch)
 * and details. `ctx`: { instances: {a, b}, sink, webhook, redis, postgres, rotateKey, recorder, log }.
 */
export async function inject(fault, ctx) {
  const { log } = ctx;
  const start = Date.now();
  const details = {};
  switch (fault.kind) {
    case "kill": {
      const victim = ctx.instances.b;
      // Mid-request: wait (briefly) for a moment with requests to it in flight.
      await waitFor("requests in flight", () => ctx.inFlight(victim.name) > 0, { timeoutMs: 5_000, intervalMs: 5 }).catch(() => {});
      details.inFlightAtKill = ctx.inFlight(victim.name);
      log(`fault: SIGKILL ${victim.name} (pid ${victim.pid}, ${details.inFlightAtKill} request(s) in flight)`);
      await victim.kill();
      const restarted = Date.now();
      await victim.start();
      details.restartMs = Date.now() - restarted;
      break;
    }
    case "smtp": {
      log(`fault: SMTP sink down for ${fault.seconds} s`);
      await ctx.sink.stop();
      await sleep(fault.seconds * 1000);
      await ctx.sink.start();
      break;
    }
    case "webhook": {
      const half = (fault.seconds * 1000) / 2;
      log(`fault: webhook receiver answers 500 for ${half / 1000} s, then refuses connections for ${half / 1000} s`);
      await ctx.webhook.setMode("error");
      await sleep(half);
      await ctx.webhook.setMode("refuse");
      await sleep(half);
      await ctx.webhook.setMode("pass");
      break;
    }
    case "redis": {
      log(`fault: Redis down for ${fault.seconds} s`);
      await ctx.redis.stop();
      await sleep(fault.seconds * 1000);
      await ctx.redis.start();
      break;
    }
    case "postgres": {
      log("fault: PostgreSQL fast shutdown, 3 s down, start");
      await ctx.postgres.stop();
      await sleep(3_000);
      await ctx.postgres.start();
      const back = Date.now();
      // The window lasts until both instances say they are ready again.
      await waitFor("instances ready after the database restart", async () => (await ready(ctx.instances.a.baseUrl)) && (await ready(ctx.instances.b.baseUrl)), {
        timeoutMs: 60_000,
        intervalMs: 250,
      }).catch((error) => (details.notReady = error.message));
      details.readyAfterMs = Date.now() - back;
      break;
    }
    case "rotate": {
      log("fault: rotating the signing key (admin route)");
      details.result = await ctx.rotateKey();
      break;
    }
    default:
      throw new Error(`unknown fault ${fault.kind}`);
  }
  const end = Date.now();
  log(`fault over: ${fault.name} (${((end - start) / 1000).toFixed(1)} s)`);
  return { name: fault.name, kind: fault.kind, start, end, details };
}
