"use client";

import { useCallback, useDeferredValue, useMemo, useRef, useState, type ChangeEvent, type FocusEvent } from "react";
import { PasswordInput, type PasswordInputProps } from "./PasswordInput";
import { FieldError, fieldErrorId } from "./TextField";

type PolicyModule = typeof import("@/lib/password/policy");
type Evaluation = ReturnType<PolicyModule["evaluatePassword"]>;

type Verdict = { label: string; detail: string | null; tone: "bad" | "fair" | "good"; filled: 0 | 1 | 2 | 3 | 4 };

const ISSUE_LABELS: Record<string, string> = {
  too_short: "Too short",
  too_long: "Too long (72-byte limit)",
  breached: "Found in data breaches",
  too_weak: "Too weak",
};

function verdictFor(evaluation: Evaluation): Verdict {
  const issue = evaluation.issues[0];
  if (!evaluation.ok && issue) {
    return { label: ISSUE_LABELS[issue.code] ?? "Not allowed", detail: issue.message, tone: "bad", filled: 1 };
  }
  if (!evaluation.ok) return { label: "Too weak", detail: evaluation.suggestion ?? null, tone: "bad", filled: 1 };
  const score = evaluation.score;
  if (score >= 4) return { label: "Strong", detail: null, tone: "good", filled: 4 };
  return {
    label: "Strong enough",
    detail: evaluation.suggestion ?? null,
    tone: score >= 3 ? "good" : "fair",
    filled: score >= 3 ? 3 : 2,
  };
}

const SEGMENT_TONE: Record<Verdict["tone"], string> = {
  bad: "bg-destructive",
  fair: "bg-warning",
  good: "bg-success",
};
const LABEL_TONE: Record<Verdict["tone"], string> = {
  bad: "text-destructive",
  fair: "text-warning",
  good: "text-success",
};

export type PasswordFieldProps = Omit<PasswordInputProps, "below" | "describedBy" | "value" | "onChange"> & {
  value: string;
  onValueChange: (value: string) => void;
  /** Other things the user typed (email, names): passwords built from them score lower. */
  userInputs?: readonly (string | null | undefined)[];
  /** The instance's minimum zxcvbn score (admin setting); the policy default when omitted. */
  minScore?: number;
  /** The instance's minimum length (admin setting, S3); the policy default (8) when omitted. */
  minLength?: number;
  /** An error from the server is authoritative: while it shows, the live verdict is hidden. */
  error?: string | null;
};

/**
 * Password input with a live strength meter (S3). The policy module (zxcvbn
 * and the breached-password list) is loaded only when the user first focuses
 * or types in the field, so it never weighs on the initial page. Until it has
 * loaded, the meter shows no verdict rather than a wrong one; the server
 * re-checks everything anyway.
 */
export function PasswordField({
  id,
  value,
  onValueChange,
  userInputs = [],
  minScore,
  minLength: instanceMinLength,
  error,
  onFocus,
  ...props
}: PasswordFieldProps) {
  const [policy, setPolicy] = useState<PolicyModule | null>(null);
  const loading = useRef(false);

  const loadPolicy = useCallback(() => {
    if (loading.current) return;
    loading.current = true;
    import("@/lib/password/policy").then(
      (module) => setPolicy(module),
      () => {
        // Offline or chunk error: stay silent; the server verdict still applies. Allow a later retry.
        loading.current = false;
      },
    );
  }, []);

  const deferredPassword = useDeferredValue(value);
  const inputsKey = userInputs.filter((input): input is string => Boolean(input && input.trim())).join("\u0000");

  const verdict = useMemo<Verdict | null>(() => {
    if (!policy || deferredPassword.length === 0) return null;
    const inputs = inputsKey ? inputsKey.split("\u0000") : [];
    // The email's local part is the part people reuse in passwords.
    for (const input of [...inputs]) if (input.includes("@")) inputs.push(input.split("@")[0] ?? "");
    try {
      return verdictFor(policy.evaluatePassword(deferredPassword, { userInputs: inputs.filter(Boolean), minScore, minLength: instanceMinLength }));
    } catch {
      return null;
    }
  }, [policy, deferredPassword, inputsKey, minScore, instanceMinLength]);

  const visibleVerdict = error || value.length === 0 ? null : verdict;
  const statusId = `${id}-strength`;
  const minLength = instanceMinLength ?? policy?.PASSWORD_MIN_LENGTH ?? 8;

  return (
    <PasswordInput
      {...props}
      id={id}
      value={value}
      error={error}
      errorLine={false}
      describedBy={statusId}
      onFocus={(event: FocusEvent<HTMLInputElement>) => {
        loadPolicy();
        onFocus?.(event);
      }}
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        loadPolicy();
        onValueChange(event.target.value);
      }}
      below={
        <div className="mt-2">
          <div aria-hidden="true" className="grid grid-cols-4 gap-1.5">
            {[1, 2, 3, 4].map((segment) => (
              <span
                key={segment}
                className={`h-1 rounded-full transition-colors duration-300 ${
                  visibleVerdict && segment <= visibleVerdict.filled ? SEGMENT_TONE[visibleVerdict.tone] : "bg-border"
                }`}
              />
            ))}
          </div>
          {/* The hint, then the verdict, always fill this line: it never appears out of nowhere. */}
          <div className="mt-1.5 min-h-5">
            {error ? <FieldError id={fieldErrorId(id)} error={error} /> : null}
            <p id={statusId} aria-live="polite" className="text-sm leading-5 text-muted-foreground">
              {visibleVerdict ? (
                <>
                  <span className={`font-medium ${LABEL_TONE[visibleVerdict.tone]}`}>{visibleVerdict.label}</span>
                  {visibleVerdict.detail ? <span>{` · ${visibleVerdict.detail}`}</span> : null}
                </>
              ) : value.length === 0 && !error ? (
                <span>{`Use at least ${minLength} characters. Longer is stronger.`}</span>
              ) : null}
            </p>
          </div>
        </div>
      }
    />
  );
}
