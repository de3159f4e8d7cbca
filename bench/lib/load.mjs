// Load generation with autocannon (in-process API), plus the status-code
// discipline every scenario needs: a run whose responses are mostly not the
// expected status is an error, never a fast number.
import fs from "node:fs";
import autocannon from "autocannon";

/** CPU time (user + system, ms) the process `pid` has used so far, all threads; null off Linux. */
export function processCpuMs(pid, { mainThreadOnly = false } = {}) {
  try {
    const stat = fs.readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * Runs autocannon and summarises it. `expect` is the status every response
 * should have; more than `maxBadFraction` of other statuses (or any
 * connection errors/timeouts above that fraction) marks the run as failed.
 */
export async function load(options, { expect = 200, maxBadFraction = 0.01, label = options.url, cpuPid = null } = {}) {
  const cpuBefore = cpuPid ? processCpuMs(cpuPid) : null;
  const mainBefore = cpuPid ? processCpuMs(cpuPid, { mainThreadOnly: true }) : null;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 30, ...options }, (error, value) => (error ? reject(error) : resolve(value)));
    instance.on("error", reject);
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, Number(stats.count)]),
  );
  const total = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  const cpuAfter = cpuPid ? processCpuMs(cpuPid) : null;
  const mainAfter = cpuPid ? processCpuMs(cpuPid, { mainThreadOnly: true }) : null;
  // Server CPU per request: far less sensitive to other load on a shared machine than throughput.
  const serverCpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const good = statuses[String(expect)] ?? 0;
  const bad = total - good + result.errors + (result.mismatches ?? 0);
  const badFraction = total + result.errors > 0 ? bad / (total + result.errors) : 1;
  const summary = {
    label,
    connections: result.connections,
    durationS: result.duration,
    requests: total,
    rps: total / result.duration,
    okRps: good / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches ?? 0,
    serverCpuMs,
    serverCpuUsPerRequest: serverCpuMs !== null && total > 0 ? Math.round((serverCpuMs * 1000) / total) : null,
    // The event-loop thread alone (bcrypt runs on worker threads, counted above but not here).
    serverMainThreadUsPerRequest: mainBefore !== null && mainAfter !== null && total > 0 ? Math.round(((mainAfter - mainBefore) * 1000) / total) : null,
    expect,
    badFraction,
    ok: total > 0 && badFraction <= maxBadFraction,
  };
  if (!summary.ok) {
    summary.error =
      total === 0
        ? `${label}: no responses at all (${result.errors} connection errors)`
        : `${label}: ${(badFraction * 100).toFixed(1)}% of responses were not ${expect} ` +
          `(statuses ${JSON.stringify(statuses)}, ${result.errors} errors, ${result.mismatches ?? 0} body mismatches)`;
  }
  return summary;
}
