"use client";

import { Download } from "lucide-react";
import { Button } from "../Button";
import { CopyButton } from "./CopyButton";

/**
 * One signing key's public half as PEM (S2), for verifiers configured with a
 * key instead of the JWKS URL: shown, copied, or downloaded as <kid>.pem.
 */
export function PublicKeyPem({ kid, pem, open = false }: { kid: string; pem: string; open?: boolean }) {
  function download() {
    const url = URL.createObjectURL(new Blob([pem], { type: "application/x-pem-file" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `${kid}.pem`;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  }
  return (
    <details className="group" open={open}>
      <summary className="cursor-pointer text-sm font-medium text-foreground underline-offset-2 hover:underline">
        Public key <code className="font-mono text-xs">{kid}</code> (PEM)
      </summary>
      <div className="mt-2 grid gap-2">
        {/* Focusable: on a narrow screen the PEM scrolls sideways, and keyboard users must reach it. */}
        <pre tabIndex={0} role="region" aria-label={`Public key ${kid} (PEM)`} className="overflow-x-auto rounded-md border border-border bg-muted p-3 font-mono text-xs focus-visible:outline-2 focus-visible:outline-ring">
          {pem}
        </pre>
        <div className="flex flex-wrap gap-2">
          <CopyButton value={pem} label={`public key ${kid}`} />
          <Button variant="secondary" onClick={download} className="h-8 px-2.5" aria-label={`Download .pem of key ${kid}`}>
            <Download aria-hidden className="size-4" />
            Download .pem
          </Button>
        </div>
      </div>
    </details>
  );
}
