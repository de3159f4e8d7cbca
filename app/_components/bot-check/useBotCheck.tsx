"use client";

import dynamic from "next/dynamic";
import { useCallback, useMemo, useRef, useState, type ReactNode } from "react";
import { errorCode, postJson, type ApiResult } from "../api";

/** What the page knows about bot protection (lib/bot-protection `publicBotCheck`); never a secret. */
export type BotCheckConfig = { enabled: false } | { enabled: true; provider: "altcha" } | { enabled: true; provider: "turnstile"; siteKey: string };

// Loaded on demand only: /sign-in's first load carries neither widget (S10, S11 budget).
const AltchaCheck = dynamic(() => import("./AltchaCheck"), { ssr: false });
const TurnstileCheck = dynamic(() => import("./TurnstileCheck"), { ssr: false });

export type BotCheck = {
  /** The check's element (null while not started); render it anywhere inside the form. */
  element: ReactNode;
  /** Starts solving in the background (sign-up does this on mount). */
  start(): void;
  /**
   * An unused answer for the next request: at once when the background work is
   * done, else when it is. Undefined when bot protection is off. Each answer is
   * good for one request, so a fresh one starts solving as soon as it is taken.
   */
  solution(): Promise<string | undefined>;
  /**
   * POSTs like `postJson`, with an answer when `upfront` (sign-up) and, when
   * the server asks for one (`bot_challenge_required`: risk, or an answer that
   * expired), once more with a fresh answer.
   */
  post<T>(url: string, body: Record<string, unknown>, options?: { fields?: readonly string[]; upfront?: boolean }): Promise<ApiResult<T>>;
  /** Whether the form is waiting on the check (for a "Checking your browser…" line). */
  waiting: boolean;
  error: string | null;
};

/**
 * The bot check of a form (S10): the ALTCHA widget (or Turnstile) mounted
 * when needed, solving in the background, its answers handed out one per
 * request. Sign-up starts it on mount; sign-in only after the server asked.
 */
export function useBotCheck(config: BotCheckConfig): BotCheck {
  const [started, setStarted] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answer = useRef<string | null>(null);
  const waiters = useRef<((value: string | undefined) => void)[]>([]);

  const start = useCallback(() => setStarted(true), []);

  const onSolved = useCallback((payload: string) => {
    setError(null);
    const waiter = waiters.current.shift();
    if (waiter) {
      setWaiting(waiters.current.length > 0);
      waiter(payload);
      setGeneration((value) => value + 1);
    } else {
      answer.current = payload;
    }
  }, []);

  const onFailed = useCallback((message: string) => {
    setError(message);
    setWaiting(false);
    for (const waiter of waiters.current.splice(0)) waiter(undefined);
    // Try again with a fresh challenge; the person can submit again meanwhile.
    setGeneration((value) => value + 1);
  }, []);

  const solution = useCallback((): Promise<string | undefined> => {
    if (!config.enabled) return Promise.resolve(undefined);
    setStarted(true);
    const ready = answer.current;
    if (ready) {
      answer.current = null;
      setGeneration((value) => value + 1);
      return Promise.resolve(ready);
    }
    setWaiting(true);
    return new Promise((resolve) => waiters.current.push(resolve));
  }, [config.enabled]);

  const post = useCallback(
    async <T,>(url: string, body: Record<string, unknown>, options: { fields?: readonly string[]; upfront?: boolean } = {}) => {
      const upfront = options.upfront ? await solution() : undefined;
      const result = await postJson<T>(url, upfront ? { ...body, botSolution: upfront } : body, options);
      if (result.ok || errorCode(result) !== "bot_challenge_required" || !config.enabled) return result;
      const fresh = await solution();
      return fresh ? postJson<T>(url, { ...body, botSolution: fresh }, options) : result;
    },
    [solution, config.enabled],
  );

  const element = useMemo(() => {
    if (!config.enabled || !started) return null;
    return config.provider === "turnstile" ? (
      <TurnstileCheck key={generation} siteKey={config.siteKey} onSolved={onSolved} onFailed={onFailed} />
    ) : (
      <AltchaCheck key={generation} onSolved={onSolved} onFailed={onFailed} />
    );
  }, [config, started, generation, onSolved, onFailed]);

  return { element, start, solution, post, waiting, error };
}
