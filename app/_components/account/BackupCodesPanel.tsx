"use client";

import { Check, Copy, Download } from "lucide-react";
import { useEffect, useRef } from "react";
import { formatBackupCode } from "../backup-code";
import { Button } from "../Button";
import { INSTANCE_NAME } from "../instance";
import { toast } from "../ui/sonner";
import { backupCodesFile, backupCodesFileName, backupCodesForClipboard } from "./backup-codes-file";

/**
 * The 10 backup codes, shown once (S6): right after two-step verification is
 * turned on or the codes are regenerated. Focus moves to its heading when it
 * appears, so keyboard and screen-reader users land on it too.
 */
export function BackupCodesPanel({ codes, account, onDone }: { codes: readonly string[]; account: string; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, [codes]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(backupCodesForClipboard(codes));
      toast.success("Backup codes copied");
    } catch {
      // No clipboard access (insecure origin, denied permission): the codes stay on screen to select.
      toast.error("Could not copy: select the codes, or download them instead.");
    }
  }

  function download() {
    const text = backupCodesFile({ codes, instanceName: INSTANCE_NAME, account, createdAt: new Date() });
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = backupCodesFileName(INSTANCE_NAME);
    document.body.append(link);
    link.click();
    link.remove();
    // After the click has handed the file to the browser.
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  return (
    <div className="mt-4 rounded-lg border border-warning/40 bg-background p-4 sm:p-5">
      <h4 ref={headingRef} tabIndex={-1} className="text-sm font-semibold text-foreground outline-none">
        Save your backup codes
      </h4>
      <p id="backup-codes-hint" className="mt-1 text-sm text-muted-foreground">
        Each code signs you in once when you cannot use your authenticator app or phone. Keep them somewhere safe, such as a
        password manager: they will not be shown again.
      </p>
      <ol
        aria-label="Backup codes"
        aria-describedby="backup-codes-hint"
        className="mt-4 grid w-fit grid-cols-2 gap-x-10 gap-y-1.5 font-mono text-sm text-foreground"
      >
        {codes.map((code) => (
          <li key={code} className="tabular-nums select-all">
            {formatBackupCode(code)}
          </li>
        ))}
      </ol>
      <div className="mt-4 flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => void copy()}>
          <Copy aria-hidden="true" className="size-4" />
          Copy codes
        </Button>
        <Button variant="secondary" onClick={download}>
          <Download aria-hidden="true" className="size-4" />
          Download .txt
        </Button>
        <Button variant="primary" onClick={onDone}>
          <Check aria-hidden="true" className="size-4" />
          I’ve saved them
        </Button>
      </div>
    </div>
  );
}
