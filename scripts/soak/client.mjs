// HTTP side of the soak: a cookie jar per simulated browser, a "load
// balancer" that alternates the two instances (skipping one the harness knows
// is down), and a record of every request (what the report and the
// request-level invariants are computed from) and of every session token
// received (checked against the Session rows at the end).

/** Looks like a server stack trace: "    at fn (/path/file.js:12:34)" or a bundle path with line:col. */
const STACK_TRACE = /\n\s+at\s+\S.*:\d+:\d+|\bat\s+\S+\s+\((?:\/|file:|webpack|node:)[^)]*:\d+:\d+\)|\/\.next\/server\/\S+:\d+:\d+/;

export function decodeJwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

export function decodeJwtHeader(token) {
  try {
    return JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

export class Recorder {
  constructor() {
    this.requests = []; // { start, end, instance, route, status, ms, stack }
    this.tokens = []; // { sid, sub, iat, exp, kid, sentAt, receivedAt, route, instance }
    this.stackTraces = []; // { route, status, excerpt }
    this.inFlight = {}; // instance name -> requests in flight
  }
}

export class Balancer {
  constructor(instances) {
    this.instances = instances;
    this.turn = 0;
  }
  pick() {
    for (let i = 0; i < this.instances.length; i++) {
      const instance = this.instances[this.turn++ % this.instances.length];
      if (instance.routable) return instance;
    }
    // Nothing known to be up: try in turn anyway (the request is recorded as failed).
    return this.instances[this.turn++ % this.instances.length];
  }
}

export class Browser {
  /** `ip`: the simulated user's address, sent as X-Forwarded-For (the instances trust loopback proxies). */
  constructor({ balancer, recorder, ip, origin }) {
    this.balancer = balancer;
    this.recorder = recorder;
    this.ip = ip;
    this.origin = origin;
    this.cookies = new Map();
  }

  get sessionToken() {
    return this.cookies.get("__session") ?? null;
  }

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /**
   * One request through the balancer. Answers { status, json, text, instance }
   * (status 0: no answer — connection refused or reset, or the 30 s timeout).
   */
  async request(method, route, body, { label = route, redirect = "manual", timeoutMs = 30_000 } = {}) {
    const instance = this.balancer.pick();
    const headers = { origin: this.origin, "x-forwarded-for": this.ip, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const start = Date.now();
    let status = 0;
    let text = "";
    let response;
    this.recorder.inFlight[instance.name] = (this.recorder.inFlight[instance.name] ?? 0) + 1;
    try {
      response = await fetch(`${instance.baseUrl}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      status = 0;
      text = String(error?.cause?.code ?? error?.name ?? error);
    } finally {
      this.recorder.inFlight[instance.name]--;
    }
    const end = Date.now();
    const stack = status !== 0 && STACK_TRACE.test(text);
    this.recorder.requests.push({ start, end, instance: instance.name, route: label, status, ms: end - start, stack });
    if (stack) this.recorder.stackTraces.push({ route: label, status, excerpt: text.slice(0, 400) });
    if (response) this.absorbCookies(response, { sentAt: start, receivedAt: end, route: label, instance: instance.name });
    let json = null;
    if (text && response?.headers.get("content-type")?.includes("json")) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    return { status, json, text, instance: instance.name };
  }

  absorbCookies(response, meta) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = !value || attributes.some((attribute) => /max-age=0\b/i.test(attribute.trim()) || /expires=thu, 01 jan 1970/i.test(attribute.trim()));
      if (expired) {
        this.cookies.delete(name);
        continue;
      }
      this.cookies.set(name, value);
      if (name === "__session") {
        const claims = decodeJwtPayload(value);
        const header = decodeJwtHeader(value);
        if (claims?.sid) {
          this.recorder.tokens.push({ sid: claims.sid, sub: claims.sub, iat: claims.iat, exp: claims.exp, kid: header?.kid ?? null, ...meta });
        }
      }
    }
  }
}
