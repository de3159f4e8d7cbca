// The soak harness's own infrastructure (issue 17): a private PostgreSQL and
// Redis (never the machine's shared ones), a real SMTP sink, a webhook
// receiver behind a switchable front, and the portal instances. Every piece
// can be stopped and started again on the same port, which is what the fault
// schedule does.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { freePort, sleep, waitFor } from "../lib/net.mjs";
import { exited, stop } from "../lib/proc.mjs";
import { serverNodeFlags } from "../lib/server-flags.mjs";

/** The server binaries of the newest PostgreSQL Debian's packages installed (15 on bookworm, 17 on trixie), or $PG_BIN. */
function postgresBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error("no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql) and no PG_BIN");
  return path.join(root, versions[0], "bin");
}

/** PostgreSQL refuses to run as root: under root the server runs as the `postgres` system user (setpriv execs, so the pid is the server's). */
function asPostgresUser(command, args) {
  if (process.getuid?.() !== 0) return [command, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]];
}

/** A throwaway PostgreSQL cluster in `dir` on a free port: initdb, start, stop (fast), start again on the same port. */
export async function startPostgres(dir) {
  const data = path.join(dir, "pgdata");
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) spawnSync("chown", ["-R", "postgres:postgres", dir]);
  const bin = postgresBin();
  const [initCmd, initArgs] = asPostgresUser(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const logFile = path.join(dir, "postgres.log");
  const state = { child: null, port, url: `postgresql://postgres@127.0.0.1:${port}/soak`, adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`, logFile };

  const launch = async () => {
    const fd = fs.openSync(logFile, "a");
    const [cmd, args] = asPostgresUser(path.join(bin, "postgres"), [
      "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=100",
    ]);
    state.child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true });
    fs.closeSync(fd);
    await waitFor("the soak PostgreSQL", () => canConnect(state.adminUrl), { timeoutMs: 30_000, intervalMs: 200 });
  };
  await launch();
  const admin = new pg.Client({ connectionString: state.adminUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE soak");
  await admin.end();

  return {
    ...state,
    get pid() {
      return state.child?.pid;
    },
    /** Fast shutdown (SIGINT: disconnects every client, as a managed database's restart does). */
    async stop() {
      if (!state.child) return;
      const child = state.child;
      state.child = null;
      const gone = exited(child);
      child.kill("SIGINT");
      await Promise.race([gone, sleep(15_000).then(() => child.kill("SIGKILL"))]);
      await gone;
    },
    start: launch,
    running: () => Boolean(state.child),
  };
}

async function canConnect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A private redis-server (no persistence) on a free port; stop/start keep the port. */
export async function startRedis(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const state = { child: null };
  const launch = async () => {
    const fd = fs.openSync(path.join(dir, "redis.log"), "a");
    state.child = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
      stdio: ["ignore", fd, fd],
      detached: true,
    });
    fs.closeSync(fd);
    await waitFor("the soak Redis", () => redisPing(port), { timeoutMs: 15_000, intervalMs: 100 });
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (!state.child) return;
      const child = state.child;
      state.child = null;
      await stop(child, { graceMs: 5_000 });
    },
    start: launch,
  };
}

function redisPing(port) {
  return new Promise((resolve) => {
    import("node:net").then(({ default: net }) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(1_000);
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
  });
}

/**
 * The SMTP sink (smtp-server + mailparser), in this process. Every delivered
 * message is kept with its Message-ID; `stop()` closes the listener (the
 * portal's sends are refused) and `start()` listens on the same port again.
 */
export async function startSmtpSink() {
  const messages = [];
  const waiters = new Set();
  let server = null;
  let port = 0;
  const listen = () =>
    new Promise((resolve, reject) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS"],
        logger: false,
        onData(stream, session, callback) {
          simpleParser(stream)
            .then((parsed) => {
              const to = (parsed.to?.value ?? []).map((address) => address.address.toLowerCase());
              const message = { messageId: parsed.messageId, to, subject: parsed.subject ?? "", text: parsed.text ?? "", at: Date.now() };
              messages.push(message);
              for (const waiter of waiters) waiter(message);
              callback();
            })
            .catch(callback);
        },
      });
      server.on("error", () => {});
      server.server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = server.server.address().port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    messages,
    /** Resolves with the first message to `to` (arrived at or after `since`) whose subject matches, or null after `timeoutMs`. */
    waitForMail(to, subject, since, timeoutMs) {
      const wanted = (message) => message.at >= since && message.to.includes(to.toLowerCase()) && subject.test(message.subject);
      const found = messages.find(wanted);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const waiter = (message) => {
          if (!wanted(message)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(null);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: () =>
      new Promise((resolve) => {
        const closing = server;
        server = null;
        if (!closing) return resolve();
        // Open sessions are cut too: the mail server is down, not draining.
        closing.close(() => resolve());
        for (const connection of closing.connections ?? []) connection._socket?.destroy?.();
        setTimeout(resolve, 3_000);
      }),
    start: listen,
  };
}

/**
 * bench/webhook-receiver.mjs (verifies svix signatures, stores each event once
 * by svix-id in Postgres) as its own process, behind a front in this process
 * that the fault schedule switches: "pass" forwards, "error" answers 500,
 * "refuse" closes the listening socket (connections refused).
 */
export async function startWebhookReceiver(root, databaseUrl) {
  const receiver = spawn(process.execPath, [path.join(root, "bench", "webhook-receiver.mjs"), databaseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  const receiverPort = await new Promise((resolve, reject) => {
    let buffer = "";
    receiver.stdout.on("data", (chunk) => {
      buffer += chunk;
      const line = buffer.split("\n").find((candidate) => candidate.startsWith("{"));
      if (line) resolve(JSON.parse(line).port);
    });
    receiver.once("exit", (code) => reject(new Error(`webhook receiver exited (${code})`)));
  });
  const port = await freePort();
  let mode = "pass";
  let front = null;
  const sockets = new Set();
  const counts = { forwarded: 0, answered500: 0 };
  const listen = () =>
    new Promise((resolve, reject) => {
      front = http.createServer((request, response) => {
        if (mode === "error") {
          counts.answered500++;
          request.resume();
          response.writeHead(500, { "content-type": "text/plain" }).end("soak: receiver failing on purpose");
          return;
        }
        counts.forwarded++;
        const upstream = http.request(
          { host: "127.0.0.1", port: receiverPort, method: request.method, path: request.url, headers: request.headers },
          (answer) => {
            // Hop-by-hop headers stay with their hop: the receiver's "Keep-Alive: timeout=30" is not this server's promise.
            const { connection, "keep-alive": keepAlive, ...headers } = answer.headers;
            response.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(response);
          },
        );
        upstream.on("error", () => response.writeHead(502).end());
        request.pipe(upstream);
      });
      front.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      front.once("error", reject);
      // As the receiver behind it (bench/webhook-receiver.mjs): kept-alive sockets outlive the portal's idle gaps.
      front.keepAliveTimeout = 30_000;
      front.listen(port, "127.0.0.1", resolve);
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    receiverUrl: `http://127.0.0.1:${receiverPort}`,
    counts,
    async configure(secret) {
      const response = await fetch(`http://127.0.0.1:${receiverPort}/configure`, { method: "POST", body: JSON.stringify({ secret }) });
      if (response.status !== 204) throw new Error(`receiver /configure answered ${response.status}`);
    },
    async stats() {
      return (await fetch(`http://127.0.0.1:${receiverPort}/stats`)).json();
    },
    async setMode(next) {
      if (next === mode) return;
      if (next === "refuse") {
        const closing = front;
        front = null;
        await new Promise((resolve) => {
          closing.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      } else if (mode === "refuse") {
        mode = next;
        await listen();
      }
      mode = next;
    },
    async close() {
      if (front) await new Promise((resolve) => { front.close(() => resolve()); for (const socket of sockets) socket.destroy(); });
      await stop(receiver, { graceMs: 3_000 });
    },
  };
}

/**
 * One `node scripts/server.mjs` of the portal on `port`, started (and after a
 * SIGKILL started again) with the same environment; ready = /api/health/ready 200.
 */
export function portalInstance({ name, root, port, env, logDir }) {
  const logFile = path.join(logDir, `portal-${name}.log`);
  const state = { child: null, gone: null, starts: 0 };
  const baseUrl = `http://127.0.0.1:${port}`;
  const instance = {
    name,
    port,
    baseUrl,
    logFile,
    /** False between a kill and the next successful readiness probe: the "load balancer" sends nothing here then. */
    routable: false,
    get pid() {
      return state.child?.pid;
    },
    async start({ timeoutMs = 180_000 } = {}) {
      const fd = fs.openSync(logFile, "a");
      fs.writeSync(fd, `\n--- soak: start #${++state.starts} at ${new Date().toISOString()}\n`);
      // With the Node flags `npm start` gives it (its heap limit).
      state.child = spawn(process.execPath, [...serverNodeFlags(env), path.join(root, "scripts", "server.mjs"), "--port", String(port), "--hostname", "127.0.0.1"], {
        cwd: root,
        env: { ...env, PORT: String(port) },
        stdio: ["ignore", fd, fd],
        detached: true,
      });
      fs.closeSync(fd);
      state.gone = null;
      const child = state.child;
      void exited(child).then((result) => {
        if (state.child === child) state.gone = result;
      });
      await waitFor(`portal ${name} ready`, () => ready(baseUrl), {
        timeoutMs,
        intervalMs: 250,
        abort: () => (state.gone ? `exited (${JSON.stringify(state.gone)}); see ${logFile}` : null),
      });
      instance.routable = true;
    },
    /** SIGKILL to the server process (no shutdown hook runs: leases stay, in-flight requests die). */
    kill() {
      instance.routable = false;
      const child = state.child;
      state.child = null;
      if (!child) return Promise.resolve();
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      return exited(child);
    },
    async stop() {
      instance.routable = false;
      const child = state.child;
      state.child = null;
      if (child) await stop(child, { group: true, graceMs: 10_000 });
    },
  };
  return instance;
}

export async function ready(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/api/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export function tempRoot() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-soak-"));
  // The PostgreSQL server may run as another user (root cannot run it): it must reach its directory.
  fs.chmodSync(dir, 0o755);
  return dir;
}
