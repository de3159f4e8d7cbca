// Node flags for the production server (scripts/server.mjs), added by whatever starts it:
// `npm start` (scripts/run.mjs), the e2e harness and the benchmark. V8 reads heap sizes
// when the process starts, so the server cannot set them on itself.
import v8 from "node:v8";

/**
 * The V8 old-generation limit the server runs with, in MB, unless NODE_OPTIONS names one.
 *
 * Why: V8 lets garbage pile up to a multiple of the live heap before a full collection,
 * and the largest multiple it allows grows with the limit: 1.3 × at 256 MB, 2 × just
 * under 2 GB, 4 × from 2 GB on. Node sizes the limit from the machine's memory (4 GB on
 * a 24 GB machine). The portal's live heap is about 110 MB, so under steady traffic a
 * 4 GB limit let the heap swing up to 500 MB and more and RSS reach 800 MB. At 1 GB V8
 * collects at about 1.6 × (about 170 MB here), costing about 1 % of the event loop's
 * time, and the process stays near 320 MB (docs/performance.md, memory over time).
 * 1 GB is still about 9 × what the server holds.
 */
export const SERVER_HEAP_LIMIT_MB = 1024;

const HEAP_LIMIT_FLAG = /--max[-_]old[-_]space[-_]size\b/;

/**
 * `--max-old-space-size=1024`, or nothing when NODE_OPTIONS sets the limit itself
 * (the operator's choice wins) or when Node's own default is already lower (a small
 * machine or container: raising the limit there would let the heap grow further).
 * @param {Record<string, string | undefined>} [env] the server's environment
 * @returns {string[]}
 */
export function serverNodeFlags(env = process.env) {
  if (HEAP_LIMIT_FLAG.test(env.NODE_OPTIONS ?? "")) return [];
  const defaultLimitMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20;
  return defaultLimitMb > SERVER_HEAP_LIMIT_MB ? [`--max-old-space-size=${SERVER_HEAP_LIMIT_MB}`] : [];
}
