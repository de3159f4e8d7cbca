// Load generation with autocannon (in-process API), plus the status-code
// discipline every scenario needs: a run whose responses are mostly not the
// expected status is an error, never a fast number.
import fs from "node:fs";
import autocannon from "autocannon";

/** User + system CPU (ms) from the text of a `/proc/.../stat` file. */
function statCpuMs(stat) {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** CPU time (user + system, ms) the process `pid` has used so far, all threads; null off Linux. */
export function processCpuMs(pid, { mainThreadOnly = false } = {}) {
  try {
    return statCpuMs(fs.readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) of each local process whose command is `name` (e.g. all of
 * PostgreSQL's backends and helpers), by pid; null off Linux or when none is
 * found (a database on another machine). Compare two with `cpuSpentSince`.
 */
export function processesCpuMs(name) {
  const byPid = new Map();
  let pids;
  try {
    pids = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== name) continue;
      byPid.set(pid, statCpuMs(stat));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return byPid.size > 0 ? byPid : null;
}

/**
 * CPU the processes spent between two `processesCpuMs` readings: a process
 * started in between counts whole, one that ended in between is lost (a
 * connection closed mid-run), so the figure errs low, never below zero.
 */
function cpuSpentSince(before, after) {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += Math.max(0, ms - (before.get(pid) ?? 0));
  return total;
}

/**
 * Runs autocannon and summarises it. `expect` is the status every response
 * should have; more than `maxBadFraction` of other statuses (or any
 * connection errors/timeouts above that fraction) marks the run as failed.
 */
export async function load(options, { expect = 200, maxBadFraction = 0.01, label = options.url, cpuPid = null, machineCpu = false } = {}) {
  // machineCpu: also the CPU PostgreSQL and this process (the load generator, and
  // anything else the harness runs meanwhile) spend, i.e. what the server cannot have.
  const databaseBefore = machineCpu ? processesCpuMs("postgres") : null;
  const generatorBefore = machineCpu ? process.cpuUsage() : null;
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
  const databaseAfter = machineCpu ? processesCpuMs("postgres") : null;
  const generator = machineCpu ? process.cpuUsage(generatorBefore) : null;
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
    databaseCpuMs: cpuSpentSince(databaseBefore, databaseAfter),
    generatorCpuMs: generator ? (generator.user + generator.system) / 1000 : null,
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
