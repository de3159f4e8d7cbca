// The soak workload: simulated users, each a browser (cookie jar, own
// X-Forwarded-For address), going through the flows a real user does, plus a
// steady probe of the protected page whose latency the recovery check uses.
// Flows wait for their emails in the SMTP sink without holding a request
// slot: concurrency is bounded at the HTTP level (a semaphore), so the
// 2-core machine sees at most `maxInFlight` requests at once.
import { Browser } from "./client.mjs";
import { sleep } from "../lib/net.mjs";

export const PROTECTED_PAGE = "/account";
const MAIL_WAIT_MS = 150_000; // an SMTP outage of 60 s plus the outbox's 10 s and 60 s retries
const CODE = /\b(\d{6})\b/;

class Semaphore {
  constructor(size) {
    this.free = size;
    this.queue = [];
  }
  async run(task) {
    if (this.free > 0) this.free--;
    else await new Promise((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** A Browser whose requests wait for a slot of the shared semaphore. */
class LimitedBrowser extends Browser {
  constructor(options, slots) {
    super(options);
    this.slots = slots;
  }
  request(...args) {
    return this.slots.run(() => super.request(...args));
  }
}

const pick = (weights) => {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [name, weight] of weights) if ((roll -= weight) < 0) return name;
  return weights[0][0];
};

export class Workload {
  constructor({ balancer, recorder, sink, origin, runId, users, flows, maxInFlight, log }) {
    Object.assign(this, { balancer, recorder, sink, origin, runId, log });
    this.slots = new Semaphore(maxInFlight);
    this.flows = flows;
    this.users = Array.from({ length: users }, (_, index) => ({
      index,
      email: `soak-${runId}-${index}@example.com`,
      passwords: [`Soak ${runId} ${index} quartz lantern`],
      ip: `10.${((index + 1) >> 16) & 255}.${((index + 1) >> 8) & 255}.${(index + 1) & 255}`,
      registered: false,
      browsers: [],
      busy: false,
    }));
    this.stats = {}; // flow -> { started, completed, failed, outcomes: { reason: count } }
    this.signUpsCompleted = new Set();
    this.staleRefreshMinted = []; // a refresh with a signed-out browser's cookies answered 200
    // Same-browser magic links: polls told "complete", those told so before the confirm's answer
    // (with the new cookies) had arrived, and the protected page not opening signed in after one.
    this.linkPolls = { complete: 0, ahead: 0, signedOutAfter: [] };
    this.stopping = false;
  }

  browser(user) {
    return new LimitedBrowser({ balancer: this.balancer, recorder: this.recorder, ip: user.ip, origin: this.origin }, this.slots);
  }

  note(flow, outcome) {
    const entry = (this.stats[flow] ??= { started: 0, completed: 0, failed: 0, outcomes: {} });
    if (outcome === "started") entry.started++;
    else if (outcome === "ok") entry.completed++;
    else {
      entry.failed++;
      entry.outcomes[outcome] = (entry.outcomes[outcome] ?? 0) + 1;
    }
  }

  async mail(user, subject, since) {
    return this.sink.waitForMail(user.email, subject, since, MAIL_WAIT_MS);
  }

  /** Runs `flows` user loops until stop(). */
  async run() {
    await Promise.all(Array.from({ length: this.flows }, () => this.loop()));
  }

  stop() {
    this.stopping = true;
  }

  async loop() {
    while (!this.stopping) {
      const user = this.idleUser();
      if (!user) {
        await sleep(100);
        continue;
      }
      user.busy = true;
      try {
        await this.step(user);
      } catch (error) {
        this.note("harness", `threw: ${error.message}`);
      } finally {
        user.busy = false;
      }
      await sleep(20 + Math.random() * 80);
    }
  }

  /**
   * A random idle user: a quarter of the picks go to users still to sign up,
   * the rest to signed-up ones (once there are some), so sign-ups do not
   * crowd out the signed-in flows while hundreds of users are new.
   */
  idleUser() {
    const wantNew = Math.random() < 0.25;
    for (let tries = 0; tries < 40; tries++) {
      const user = this.users[Math.floor(Math.random() * this.users.length)];
      if (user.busy) continue;
      if (tries < 30 && user.registered === wantNew && this.users.some((other) => other.registered)) continue;
      return user;
    }
    return null;
  }

  async step(user) {
    if (!user.registered) return this.flow("sign_up", () => this.signUp(user));
    const signedIn = user.browsers.filter((browser) => browser.cookies.has("__client") && browser.signedIn);
    if (signedIn.length === 0) {
      const flow = pick([["password_sign_in", 5], ["email_code_sign_in", 3], ["email_link_sign_in", 2], ["password_reset", 1.5]]);
      if (flow === "password_sign_in") return this.flow(flow, () => this.passwordSignIn(user));
      if (flow === "email_code_sign_in") return this.flow(flow, () => this.emailCodeSignIn(user));
      if (flow === "email_link_sign_in") return this.flow(flow, () => this.emailLinkSignIn(user));
      return this.flow(flow, () => this.passwordReset(user));
    }
    const browser = signedIn[Math.floor(Math.random() * signedIn.length)];
    const flow = pick([
      ["protected_page", 30],
      ["refresh", 25],
      ["session_api", 10],
      ["sign_out", 8],
      ["sign_out_all", 4],
      ["second_device_sign_in", 4],
      ["password_reset", 1.5],
    ]);
    if (flow === "protected_page") return this.flow(flow, () => this.protectedPage(browser));
    if (flow === "refresh") return this.flow(flow, () => this.refresh(browser));
    if (flow === "session_api") return this.flow(flow, () => this.sessionApi(browser));
    if (flow === "sign_out") return this.flow(flow, () => this.signOut(user, browser, "session"));
    if (flow === "sign_out_all") return this.flow(flow, () => this.signOut(user, browser, "all"));
    if (flow === "second_device_sign_in") return this.flow(flow, () => this.passwordSignIn(user));
    return this.flow(flow, () => this.passwordReset(user));
  }

  async flow(name, body) {
    this.note(name, "started");
    const outcome = await body();
    this.note(name, outcome);
  }

  /** Sign-up with the emailed verification code (S4). */
  async signUp(user) {
    const browser = this.browser(user);
    const since = Date.now();
    const started = await browser.request("POST", "/api/auth/sign-up", {
      email: user.email,
      password: user.passwords[0],
      firstName: "Soak",
      lastName: `User ${user.index}`,
    }, { label: "POST /api/auth/sign-up" });
    if (started.status !== 200) return `sign-up ${started.status}`;
    if (started.json?.status === "complete") {
      this.signedIn(user, browser);
      return "ok";
    }
    const mail = await this.mail(user, /verification code|already have/i, since);
    if (!mail) return "no verification mail";
    const code = mail.text.match(CODE)?.[1];
    if (!code) {
      // "You already have an account": an earlier attempt that looked failed had created it.
      user.registered = true;
      return "already registered";
    }
    const verified = await browser.request("POST", "/api/auth/email/verify-code", { attemptId: started.json.attemptId, code }, { label: "POST /api/auth/email/verify-code" });
    if (verified.status !== 200 || verified.json?.status !== "complete") return `verify ${verified.status} ${verified.json?.status ?? ""}`.trim();
    this.signUpsCompleted.add(user.email);
    this.signedIn(user, browser);
    return "ok";
  }

  signedIn(user, browser) {
    user.registered = true;
    browser.signedIn = true;
    if (!user.browsers.includes(browser)) user.browsers.push(browser);
    // At most two devices per user; the oldest signed-out one is forgotten.
    if (user.browsers.length > 2) user.browsers = user.browsers.filter((b) => b.signedIn).slice(-2);
  }

  async passwordSignIn(user) {
    const browser = this.browser(user);
    let last = null;
    for (const password of user.passwords) {
      last = await browser.request("POST", "/api/auth/sign-in", { email: user.email, password }, { label: "POST /api/auth/sign-in" });
      if (last.status === 200 && last.json?.status === "complete") {
        this.signedIn(user, browser);
        return "ok";
      }
      if (last.status !== 422 && last.status !== 400 && last.status !== 401) break;
    }
    return `sign-in ${last.status} ${last.json?.status ?? last.json?.errors?.[0]?.code ?? ""}`.trim();
  }

  /** A new browser asks for a sign-in email: { browser, attemptId, mail }, or the failure's outcome. */
  async requestSignInEmail(user) {
    const browser = this.browser(user);
    const since = Date.now();
    const sent = await browser.request("POST", "/api/auth/email/send", { email: user.email, intent: "sign_in" }, { label: "POST /api/auth/email/send" });
    if (sent.status !== 200) return `send ${sent.status}`;
    const mail = await this.mail(user, /sign-in code/i, since);
    return mail ? { browser, attemptId: sent.json.attemptId, mail } : "no sign-in mail";
  }

  async emailCodeSignIn(user) {
    const asked = await this.requestSignInEmail(user);
    if (typeof asked === "string") return asked;
    const { browser, attemptId, mail } = asked;
    const code = mail.text.match(CODE)?.[1];
    if (!code) return "no code in the sign-in mail";
    const verified = await browser.request("POST", "/api/auth/email/verify-code", { attemptId, code }, { label: "POST /api/auth/email/verify-code" });
    if (verified.status !== 200 || verified.json?.status !== "complete") return `verify ${verified.status} ${verified.json?.status ?? ""}`.trim();
    this.signedIn(user, browser);
    return "ok";
  }

  /**
   * The magic link in the same browser (S4): the link's tab confirms while the tab that asked
   * polls the status, both with the browser's one cookie jar. When a poll says "complete", that
   * tab opens the protected page at once with whatever cookies the browser holds by then. A poll
   * that answered "complete" before the confirm's answer (and its new cookies) arrived once sent
   * the tab on signed out, and the handshake then cleared the new cookies too.
   */
  async emailLinkSignIn(user) {
    const asked = await this.requestSignInEmail(user);
    if (typeof asked === "string") return asked;
    const { browser, attemptId, mail } = asked;
    const token = mail.text.match(/\/sign-in\/confirm\?token=([\w-]+)/)?.[1];
    if (!token) return "no link in the sign-in mail";
    const statusRoute = `/api/auth/email/status?attemptId=${encodeURIComponent(attemptId)}`;
    let confirmed = null;
    const confirming = browser
      .request("POST", "/api/auth/email/confirm-link", { token }, { label: "POST /api/auth/email/confirm-link" })
      .then((answer) => (confirmed = answer));
    // The waiting tab, polling back to back while the confirm is in flight (the page polls every
    // 2 s, but many browsers at once meet every moment of the confirm), then every 500 ms.
    let status = "pending";
    for (let polls = 0; polls < 100 && status === "pending" && !this.stopping; polls++) {
      const answer = await browser.request("GET", statusRoute, undefined, { label: "GET /api/auth/email/status" });
      if (answer.status === 200) status = answer.json?.status ?? "no status";
      else if (answer.status !== 0 && answer.status < 500) status = `status ${answer.status}`;
      // Still pending after the confirm failed: nothing will complete it.
      if (status === "pending" && confirmed && !(confirmed.status === 200 && confirmed.json?.status === "complete")) break;
      if (status === "pending") await sleep(confirmed ? 500 : 5);
    }
    if (status === "complete") {
      this.linkPolls.complete++;
      if (!confirmed) this.linkPolls.ahead++; // told before the browser could hold the new cookies
      const page = await browser.request("GET", PROTECTED_PAGE, undefined, { label: `GET ${PROTECTED_PAGE} (after the link)` });
      await confirming;
      // A redirect (to the handshake or sign-in) or a 4xx such as 401: the tab went on signed out.
      if (page.status >= 300 && page.status < 500) this.linkPolls.signedOutAfter.push({ email: user.email, status: page.status });
      if (page.status !== 200) return `page after the link ${page.status}`;
      this.signedIn(user, browser);
      return "ok";
    }
    await confirming;
    if (confirmed.status !== 200) return `confirm ${confirmed.status}`;
    return `poll ${status}`;
  }

  async passwordReset(user) {
    const browser = this.browser(user);
    const since = Date.now();
    const sent = await browser.request("POST", "/api/auth/password-reset/send", { email: user.email }, { label: "POST /api/auth/password-reset/send" });
    if (sent.status !== 200) return `send ${sent.status}`;
    const mail = await this.mail(user, /reset your/i, since);
    const code = mail?.text.match(CODE)?.[1];
    if (!code) return "no reset mail";
    const verified = await browser.request("POST", "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code }, { label: "POST /api/auth/password-reset/verify" });
    if (verified.status !== 200 || !verified.json?.token) return `verify ${verified.status}`;
    const password = `Soak ${this.runId} ${user.index} reset ${Date.now().toString(36)} harbour`;
    // Known before the answer: a reset that completed but whose answer was lost still leaves a password the user knows.
    user.passwords = [password, ...user.passwords].slice(0, 3);
    const completed = await browser.request("POST", "/api/auth/password-reset/complete", { token: verified.json.token, password, signOutOtherDevices: true }, { label: "POST /api/auth/password-reset/complete" });
    if (completed.status !== 200) return `complete ${completed.status}`;
    // Other devices were signed out (signOutOtherDevices).
    for (const other of user.browsers) other.signedIn = false;
    user.browsers = [];
    if (completed.json?.status === "complete") this.signedIn(user, browser);
    return "ok";
  }

  /** The protected page; an expired token gets one refresh and a retry, as the page's own refresher would. */
  async protectedPage(browser) {
    let page = await browser.request("GET", PROTECTED_PAGE, undefined, { label: `GET ${PROTECTED_PAGE}` });
    if (page.status >= 300 && page.status < 400) {
      const refreshed = await this.refresh(browser);
      if (refreshed !== "ok") return refreshed;
      page = await browser.request("GET", PROTECTED_PAGE, undefined, { label: `GET ${PROTECTED_PAGE}` });
    }
    return page.status === 200 ? "ok" : `page ${page.status}`;
  }

  async refresh(browser) {
    const refreshed = await browser.request("POST", "/api/auth/session/refresh", {}, { label: "POST /api/auth/session/refresh" });
    if (refreshed.status === 401) browser.signedIn = false;
    return refreshed.status === 200 ? "ok" : `refresh ${refreshed.status}`;
  }

  async sessionApi(browser) {
    const answer = await browser.request("GET", "/api/auth/session", undefined, { label: "GET /api/auth/session" });
    if (answer.status === 401) return this.refresh(browser);
    return answer.status === 200 ? "ok" : `session ${answer.status}`;
  }

  /**
   * Sign out of this device ("session") or everywhere ("all"); then the old
   * cookies try a refresh, which must not mint a token (the DB check at the end
   * is the real proof; this one is counted too).
   */
  async signOut(user, browser, scope) {
    const stale = new Browser({ balancer: this.balancer, recorder: this.recorder, ip: user.ip, origin: this.origin });
    stale.cookies = new Map(browser.cookies);
    const answer = await browser.request("POST", "/api/auth/sign-out", { scope }, { label: `POST /api/auth/sign-out (${scope})` });
    if (answer.status !== 200) return `sign-out ${answer.status}`;
    browser.signedIn = false;
    if (scope === "all") for (const other of user.browsers) other.signedIn = false;
    const replay = await this.slots.run(() => stale.request("POST", "/api/auth/session/refresh", {}, { label: "POST /api/auth/session/refresh (signed out)" }));
    if (replay.status === 200) this.staleRefreshMinted.push({ email: user.email, scope, at: Date.now() });
    return "ok";
  }

  /**
   * Admin-style mutations (S8) alongside the users: every `everyMs` the admin
   * bans a signed-in user through the admin API (every session of theirs is
   * revoked). The banned user's flows go on: each must now be refused, and the
   * token check at the end proves none minted a token after the ban.
   */
  async adminLoop(adminBrowser, everyMs) {
    const admin = new Browser({ balancer: this.balancer, recorder: this.recorder, ip: "10.255.0.1", origin: this.origin });
    admin.cookies = new Map(adminBrowser.cookies);
    this.bans = [];
    while (!this.stopping) {
      await sleep(everyMs);
      if (this.stopping) break;
      await admin.request("POST", "/api/auth/session/refresh", {}, { label: "POST /api/auth/session/refresh (admin)" });
      const candidates = this.users.filter((user) => !user.banned && user.browsers.some((browser) => browser.signedIn && browser.sessionToken));
      const user = candidates[Math.floor(Math.random() * candidates.length)];
      const token = user?.browsers.find((browser) => browser.signedIn && browser.sessionToken)?.sessionToken;
      const userId = token ? JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")).sub : null;
      if (!userId) continue;
      this.note("admin_ban", "started");
      const answer = await admin.request("POST", `/api/admin/users/${userId}/ban`, {}, { label: "POST /api/admin/users/:id/ban" });
      if (answer.status === 200) {
        user.banned = true;
        this.bans.push({ email: user.email, userId, at: Date.now() });
      }
      this.note("admin_ban", answer.status === 200 ? "ok" : `ban ${answer.status}`);
    }
  }

  /**
   * The steady probe: the probe user's signed-in browser (from its sign-up)
   * GETs the protected page every `intervalMs`, refreshing its token as a
   * page would, through the balancer. It is a measuring instrument: it does
   * not queue for the workload's request slots.
   */
  async probe(user, intervalMs) {
    const browser = new Browser({ balancer: this.balancer, recorder: this.recorder, ip: user.ip, origin: this.origin });
    browser.cookies = new Map(user.browsers[0].cookies);
    let lastRefresh = 0;
    while (!this.stopping) {
      const began = Date.now();
      if (began - lastRefresh > 25_000) {
        const refreshed = await browser.request("POST", "/api/auth/session/refresh", {}, { label: "POST /api/auth/session/refresh (probe)" });
        if (refreshed.status === 200) lastRefresh = Date.now();
      }
      const page = await browser.request("GET", PROTECTED_PAGE, undefined, { label: "probe" });
      if (page.status >= 300 && page.status < 400) {
        const refreshed = await browser.request("POST", "/api/auth/session/refresh", {}, { label: "POST /api/auth/session/refresh (probe)" });
        if (refreshed.status === 200) lastRefresh = Date.now();
        else if (refreshed.status === 401) {
          // The session is gone (should not happen to the probe): sign in again.
          await browser.request("POST", "/api/auth/sign-in", { email: user.email, password: user.passwords[0] }, { label: "POST /api/auth/sign-in (probe)" });
        }
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - began)));
    }
  }
}
