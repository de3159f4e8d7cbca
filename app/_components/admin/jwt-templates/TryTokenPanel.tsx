"use client";

import { useState } from "react";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { getToken } from "../../session/get-token";
import { Panel } from "../PageHeader";
import { CopyButton } from "../CopyButton";

function decodePayload(jwt: string): string {
  const part = jwt.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  const text = new TextDecoder().decode(Uint8Array.from(json, (char) => char.charCodeAt(0)));
  return JSON.stringify(JSON.parse(text), null, 2);
}

/**
 * The saved template used the way apps use it: `getToken({ template })` for
 * this admin's own session, the signed token and its decoded payload.
 */
export function TryTokenPanel({ templateName }: { templateName: string }) {
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  async function fetchToken() {
    setLoading(true);
    setError(null);
    try {
      setToken(await getToken({ template: templateName }));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not get a token.");
    }
    setLoading(false);
  }

  return (
    <Panel id="template-try" title="Try it" description={`What getToken({ template: "${templateName}" }) returns for your own session (the saved template).`}>
      <div className="grid gap-3">
        <Button variant="secondary" onClick={fetchToken} loading={loading} className="justify-self-start">
          Get a token for me
        </Button>
        <FormAlert message={error} />
        {token ? (
          <>
            <div className="flex items-start gap-2">
              <code tabIndex={0} className="max-h-24 min-w-0 flex-1 overflow-y-auto rounded-md border border-border bg-muted px-2 py-1.5 font-mono text-xs break-all">{token}</code>
              <CopyButton value={token} label="token" />
            </div>
            <pre tabIndex={0} role="region" aria-label="Decoded token payload" className="max-h-80 overflow-auto rounded-md border border-border bg-muted p-3 font-mono text-xs focus-visible:outline-2 focus-visible:outline-ring">
              {decodePayload(token)}
            </pre>
          </>
        ) : null}
      </div>
    </Panel>
  );
}
