// The webhook requests themselves (S9) run here, in one worker thread started
// by lib/webhooks/delivery.ts; the request thread signs each event and hands
// over the finished request, in batches.
//
// Why a thread of its own: with Next's server, the request thread has async
// context tracking on (about nine AsyncLocalStorage instances on Node 20), and
// every socket callback, timer and promise of every delivery was propagated
// through each of them. In a fan-out that was the largest part of the portal's
// CPU per delivery (bench/webhook-fanout.mjs --async-contexts 9). Here nothing
// tracks async context, and the request thread's event loop stays free for pages.
//
// Plain JS ESM on purpose, as lib/password/hash-worker.mjs: Turbopack emits
// `new Worker(new URL("./send-worker.mjs", import.meta.url))` as its own chunk,
// and Node loads this file directly in tests and scripts.
import { parentPort } from "node:worker_threads";
import { Agent } from "undici";
import { publicOnlyLookup } from "./public-address.mjs";

if (!parentPort) throw new Error("send-worker.mjs must be started as a worker thread");
const port = parentPort;

/** Read at most this much of a response; the rest is dropped with the connection. */
const RESPONSE_READ_MAX_BYTES = 64 * 1024;
/** Connections kept per receiver origin: the channel's lanes x concurrency (lib/webhooks/channel.ts). */
const CONNECTIONS_PER_ORIGIN = 64;

/**
 * undici's pool per origin, not node:http: a fan-out to one receiver is bound by
 * the portal's CPU per request, and undici's dispatch took about 20 µs of CPU
 * per request to a local server where http.request with AbortSignal.timeout
 * took about 70. Keep-alive, no pipelining (a receiver may answer slowly; one
 * request per connection at a time). Every NEW connection resolves its host
 * through publicOnlyLookup: the address connected to is the address checked;
 * a kept-alive connection stays on the address checked when it opened. One
 * agent per rule, so a request sent under the production rule never reuses a
 * connection opened under the development one. Redirects are not followed
 * (undici's dispatch never does).
 */
const agents = {
  guarded: new Agent({ connections: CONNECTIONS_PER_ORIGIN, pipelining: 1, connect: { lookup: publicOnlyLookup(false) } }),
  open: new Agent({ connections: CONNECTIONS_PER_ORIGIN, pipelining: 1, connect: { lookup: publicOnlyLookup(true) } }),
};

/** @param {unknown} error */
function networkError(error, excerptMax) {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "No response within the time limit (timeout).";
  const code = /** @type {{ code?: string }} */ (error).code;
  const message = error instanceof Error ? error.message : String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, excerptMax);
}

class WebhookTimeoutError extends Error {
  constructor() {
    super("No response within the time limit.");
    this.name = "TimeoutError";
  }
}

/**
 * The time limits of the requests in flight with one limit: requests expire
 * in the order they started, so one list (oldest first) and ONE timer, armed
 * for the oldest, serve them all, instead of a timer per request.
 */
class Deadlines {
  head = null;
  tail = null;
  timer = null;

  constructor(limitMs) {
    this.limitMs = limitMs;
  }

  add(expire) {
    const entry = { deadline: performance.now() + this.limitMs, expire, prev: this.tail, next: null, listed: true };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm();
    return entry;
  }

  remove(entry) {
    if (!entry.listed) return;
    entry.listed = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = null;
    if (!this.head && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  arm() {
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, this.head.deadline - performance.now()));
  }

  expireDue() {
    this.timer = null;
    const now = performance.now();
    while (this.head && this.head.deadline <= now) {
      const entry = this.head;
      this.remove(entry);
      entry.expire();
    }
    if (this.head && !this.timer) this.arm();
  }
}

/** @type {Map<number, Deadlines>} */
const deadlinesByLimit = new Map();
function deadlinesFor(limitMs) {
  let deadlines = deadlinesByLimit.get(limitMs);
  if (!deadlines) deadlinesByLimit.set(limitMs, (deadlines = new Deadlines(limitMs)));
  return deadlines;
}

/** Results not yet posted back: one message per turn of this thread's event loop, not one per response. */
let outgoing = [];
function reply(result) {
  if (outgoing.length === 0) setImmediate(flush);
  outgoing.push(result);
}
function flush() {
  const results = outgoing;
  outgoing = [];
  port.postMessage(results);
}

/**
 * One request through undici's handler API (no stream or promise per
 * response). Its result is always posted back: [id, status or null, latency
 * in ms, excerpt or error text or null]. The time limit covers everything,
 * waiting for a connection included.
 */
function post([id, origin, path, headers, body, timeoutMs, allowPrivate, excerptMax]) {
  const started = performance.now();
  let controller = null;
  let settled = false;
  let statusCode = 0;
  let bytes = 0;
  let kept = null;
  let keptBytes = 0;
  // Bytes kept for the excerpt: excerptMax UTF-16 units never take more than 4 bytes each in UTF-8.
  const excerptMaxBytes = excerptMax * 4;
  const settle = (error) => {
    if (settled) return;
    settled = true;
    deadlines.remove(inFlight);
    const latencyMs = Math.round(performance.now() - started);
    if (error) return reply([id, null, latencyMs, networkError(error, excerptMax)]);
    const excerpt = kept ? Buffer.concat(kept).toString("utf8").slice(0, excerptMax) : "";
    reply([id, statusCode, latencyMs, excerpt || null]);
  };
  const deadlines = deadlinesFor(timeoutMs);
  const inFlight = deadlines.add(() => {
    const error = new WebhookTimeoutError();
    settle(error);
    controller?.abort(error);
  });
  try {
    (allowPrivate ? agents.open : agents.guarded).dispatch(
      { origin, path, method: "POST", headers, body },
      {
        onRequestStart(started) {
          controller = started;
          // Timed out while waiting for a connection.
          if (settled) started.abort(new WebhookTimeoutError());
        },
        onResponseStart(_controller, status) {
          statusCode = status;
        },
        onResponseData(current, chunk) {
          bytes += chunk.length;
          if (keptBytes < excerptMaxBytes) {
            (kept ??= []).push(chunk);
            keptBytes += chunk.length;
          }
          if (bytes > RESPONSE_READ_MAX_BYTES) {
            // Enough: the status is what counts; the rest goes with the connection.
            settle(null);
            current.abort(new Error("Response too large; the rest was not read."));
          }
        },
        onResponseEnd() {
          settle(null);
        },
        onResponseError(_controller, error) {
          settle(error);
        },
      },
    );
  } catch (error) {
    settle(error);
  }
}

/** Messages: an array of requests [id, origin, path, headers, body, timeoutMs, allowPrivate, excerptMax]. */
port.on("message", (requests) => {
  for (const request of requests) post(request);
});
