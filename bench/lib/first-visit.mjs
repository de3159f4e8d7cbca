// First visits (issue 18 item 4): time to first byte of a page for many new
// visitors at once. Each request is a new visitor: a new connection (no
// keep-alive), no cookies. TTFB is the time until the response's headers
// arrive, which Next sends with the first chunk of the page.
import http from "node:http";

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);

/** `visitors` concurrent new visitors loading `url` for `seconds`; TTFB percentiles in ms. */
export async function firstVisits(url, { visitors, seconds, label = url }) {
  const ttfb = [];
  const statuses = {};
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const visit = () =>
    new Promise((resolve) => {
      const started = performance.now();
      const request = http.get(url, { agent: false, headers: { accept: "text/html", "user-agent": "Mozilla/5.0 (bench: first visit)" } }, (response) => {
        ttfb.push(performance.now() - started);
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        response.resume();
        response.on("end", resolve);
        response.on("error", resolve);
      });
      request.setTimeout(30_000, () => request.destroy(new Error("timeout")));
      request.on("error", () => {
        errors++;
        resolve();
      });
    });
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: visitors }, async () => {
      while (performance.now() < until) await visit();
    }),
  );
  const durationS = (performance.now() - startedAt) / 1000;
  const sorted = [...ttfb].sort((a, b) => a - b);
  const requests = ttfb.length;
  const ok = errors === 0 && requests > 0 && (statuses[200] ?? 0) === requests;
  const round = (value) => (value === null ? null : Number(value.toFixed(1)));
  return {
    label,
    visitors,
    durationS: Number(durationS.toFixed(1)),
    requests,
    rps: Number((requests / durationS).toFixed(1)),
    ttfbMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? null) },
    statuses,
    errors,
    ok,
    ...(ok ? {} : { error: `${label}: ${errors} connection errors, statuses ${JSON.stringify(statuses)} (all 200 expected)` }),
  };
}
