"use client";

import { createContext, use, useCallback, useRef, useState, type ReactNode } from "react";
import type { ApiResult } from "../api";
import { isReverificationRequired, withSession } from "./account-api";
import { ReverifyDialog } from "./ReverifyDialog";

/**
 * Runs a sensitive action (S6 step-up). When the server answers 403
 * `reverification_required`, the one "Confirm it's you" dialog opens; once
 * the user has confirmed, the same action runs again and its result is
 * returned, so the click that started it finishes the job. Cancelling
 * resolves to null: nothing was changed and the caller just stands down.
 */
export type StepUp = <T>(action: () => Promise<ApiResult<T>>) => Promise<ApiResult<T> | null>;

const StepUpContext = createContext<StepUp | null>(null);

export function useStepUp(): StepUp {
  const stepUp = use(StepUpContext);
  if (!stepUp) throw new Error("useStepUp() needs a <StepUpProvider> above it");
  return stepUp;
}

export function StepUpProvider({
  children,
  onVerified,
}: {
  children: ReactNode;
  /** After a successful confirmation: the session counts as recently verified (10 minutes). */
  onVerified?: () => void;
}) {
  const [open, setOpen] = useState(false);
  // Actions waiting on the dialog share it: two at once still ask only once.
  const waiting = useRef<{ promise: Promise<boolean>; resolve: (verified: boolean) => void } | null>(null);

  const confirmIdentity = useCallback((): Promise<boolean> => {
    if (!waiting.current) {
      let resolve!: (verified: boolean) => void;
      const promise = new Promise<boolean>((done) => (resolve = done));
      waiting.current = { promise, resolve };
      setOpen(true);
    }
    return waiting.current.promise;
  }, []);

  const settle = useCallback(
    (verified: boolean) => {
      waiting.current?.resolve(verified);
      waiting.current = null;
      setOpen(false);
      if (verified) onVerified?.();
    },
    [onVerified],
  );

  const stepUp = useCallback<StepUp>(
    async (action) => {
      const result = await withSession(action);
      if (!isReverificationRequired(result)) return result;
      if (!(await confirmIdentity())) return null;
      return withSession(action);
    },
    [confirmIdentity],
  );

  return (
    <StepUpContext value={stepUp}>
      {children}
      <ReverifyDialog open={open} onVerified={() => settle(true)} onCancel={() => settle(false)} />
    </StepUpContext>
  );
}
