import "server-only";

/**
 * This process's life on a self-hosted server (S12, issue 17): once SIGTERM
 * arrives, `shutDown` flips the process to "shutting down" (readiness answers
 * 503, the queue claims no new messages and hands back the ones it claimed but
 * did not start) and waits, up to a bound, for the work registered with
 * `onShutdown` (in-flight sends) to finish.
 *
 * The state lives on globalThis: Next bundles instrumentation.ts and the
 * route handlers separately, so a module-level flag would exist twice.
 */
type Lifecycle = { shuttingDown: boolean; hooks: Set<() => Promise<unknown>>; done: Promise<void> | null };

const global = globalThis as unknown as { __portalLifecycle?: Lifecycle };
const state = (global.__portalLifecycle ??= { shuttingDown: false, hooks: new Set(), done: null });

/** How long `shutDown` waits for in-flight work by default: under Kubernetes' and systemd's 30 s grace. */
export const SHUTDOWN_WAIT_MS = 20_000;

export function isShuttingDown(): boolean {
  return state.shuttingDown;
}

/** Work to wait for (each at most `SHUTDOWN_WAIT_MS` altogether) once the process is shutting down. */
export function onShutdown(hook: () => Promise<unknown>): void {
  state.hooks.add(hook);
}

/**
 * Starts shutting down (once; later calls share the first one's promise) and
 * resolves when every hook settled or `waitMs` passed. What was still running
 * then keeps its queue lease, claimed again by another instance when it ends.
 */
export function shutDown(options: { waitMs?: number } = {}): Promise<void> {
  if (state.done) return state.done;
  state.shuttingDown = true;
  const waitMs = options.waitMs ?? SHUTDOWN_WAIT_MS;
  state.done = (async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...state.hooks].map((hook) => hook())), timeout]);
    clearTimeout(timer);
  })();
  return state.done;
}

/** Tests: back to running (hooks stay registered). */
export function resetLifecycleForTests(): void {
  state.shuttingDown = false;
  state.done = null;
}
