"use client";

import { useEffect, useId, useRef, useState } from "react";
import { FormAlert } from "../../Alert";
import { getJson, postJson, withSession } from "../../api";
import { Button } from "../../Button";
import { inputClassName } from "../../TextField";
import { Panel } from "../PageHeader";
import type { SigningKind } from "@/lib/jwt-templates/presets";

export type PreviewUser = { id: string; email: string | null };

type SearchRow = { id: string; email: string | null; firstName: string | null; lastName: string | null };
type Preview = { claims: Record<string, unknown>; payload: Record<string, unknown> };

const PREVIEW_DELAY_MS = 350;

/**
 * The live preview (S9): the claims as typed, rendered on the server for a
 * chosen user (nothing saved), refreshed shortly after each change. The user
 * is found by email, name or id through the admin user search.
 */
export function PreviewPanel({
  claimsText,
  claimsValid,
  signing,
  lifetimeSeconds,
  clockSkewSeconds,
  initialUser,
}: {
  claimsText: string;
  claimsValid: boolean;
  signing: SigningKind;
  lifetimeSeconds: number | null;
  clockSkewSeconds: number | null;
  initialUser: PreviewUser;
}) {
  const [user, setUser] = useState<PreviewUser>(initialUser);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const outputId = useId();

  useEffect(() => {
    if (!claimsValid) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      setLoading(true);
      const body = {
        claims: claimsText,
        userId: user.id,
        signing,
        ...(lifetimeSeconds !== null && lifetimeSeconds >= 30 && lifetimeSeconds <= 86_400 ? { lifetimeSeconds } : {}),
        ...(clockSkewSeconds !== null && clockSkewSeconds >= 0 && clockSkewSeconds <= 60 ? { clockSkewSeconds } : {}),
      };
      try {
        const result = await withSession(() => postJson<{ preview: Preview }>("/api/admin/jwt-templates/preview", body, { signal: controller.signal }));
        if (result.ok) {
          setPreview(result.data.preview);
          setError(null);
        } else {
          setError(result.errors.map((item) => item.message).join(" ") || result.formError);
        }
      } catch {
        // Aborted: a newer change is on its way.
        return;
      }
      setLoading(false);
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [claimsText, claimsValid, signing, lifetimeSeconds, clockSkewSeconds, user.id]);

  return (
    <Panel id="template-preview" title="Live preview" description="The token this template gives the chosen user now. Nothing is saved.">
      <div className="grid gap-4">
        <UserPicker user={user} onPick={setUser} />
        <div className="grid gap-1.5">
          <h3 id={`${outputId}-label`} className="text-sm font-medium">
            Token payload {loading ? <span className="font-normal text-muted-foreground">(updating…)</span> : null}
          </h3>
          <FormAlert message={claimsValid ? error : "Fix the claims to see the preview."} />
          <pre
            id={outputId}
            tabIndex={0}
            role="region"
            aria-labelledby={`${outputId}-label`}
            aria-busy={loading || undefined}
            className="max-h-96 overflow-auto rounded-md border border-border bg-muted p-3 font-mono text-xs focus-visible:outline-2 focus-visible:outline-ring"
          >
            {preview ? JSON.stringify(preview.payload, null, 2) : "…"}
          </pre>
        </div>
      </div>
    </Panel>
  );
}

/** Search users by email, name or id (the admin user search) and pick one for the preview. */
function UserPicker({ user, onPick }: { user: PreviewUser; onPick: (user: PreviewUser) => void }) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const listId = useId();
  const latest = useRef(0);

  useEffect(() => {
    const text = query.trim();
    if (text.length < 2) {
      setResults(null);
      return;
    }
    const request = ++latest.current;
    const timer = setTimeout(async () => {
      const result = await withSession(() =>
        getJson<{ users: SearchRow[] }>(`/api/admin/users?${new URLSearchParams({ query: text, limit: "5" }).toString()}`),
      );
      if (request !== latest.current) return;
      if (result.ok) {
        setResults(result.data.users);
        setError(null);
      } else setError(result.formError);
    }, 250);
    return () => clearTimeout(timer);
  }, [query]);

  return (
    <div className="grid gap-2 text-sm">
      <p>
        Previewing for <strong className="font-medium break-all">{user.email ?? user.id}</strong>{" "}
        <code className="font-mono text-xs text-muted-foreground">{user.id}</code>
      </p>
      <label htmlFor={inputId} className="font-medium">
        Preview for another user
      </label>
      <input
        id={inputId}
        type="search"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        placeholder="Email, name or user id"
        autoComplete="off"
        aria-controls={results ? listId : undefined}
        className={inputClassName}
      />
      <FormAlert message={error} />
      {results ? (
        results.length === 0 ? (
          <p className="text-muted-foreground" role="status">
            No user matches.
          </p>
        ) : (
          <ul id={listId} aria-label="Matching users" className="grid gap-1">
            {results.map((row) => (
              <li key={row.id}>
                <Button
                  variant="ghost"
                  className="h-auto w-full justify-start px-2 py-1.5 text-left font-normal"
                  onClick={() => {
                    onPick({ id: row.id, email: row.email });
                    setQuery("");
                  }}
                >
                  <span className="break-all">{row.email ?? row.id}</span>
                  <span className="sr-only"> (preview for this user)</span>
                </Button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
