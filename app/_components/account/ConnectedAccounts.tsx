"use client";

import { useState } from "react";
import { toast } from "../ui/sonner";
import type { PublicProvider } from "@/lib/oauth/providers";
import { GENERIC_ERROR_MESSAGE, postJson, withSession } from "../api";
import { Button } from "../Button";
import { OAuthButtons } from "../OAuthButtons";
import { ProviderMark } from "../ProviderMark";
import { Section } from "./Section";
import { ConfirmDialog } from "./ConfirmDialog";

export type ConnectedAccount = { id: string; provider: PublicProvider; label: string | null; connectedOn: string };

/**
 * The signed-in user's providers (S5, S7): each with its address and a
 * Disconnect that asks first; buttons to connect the configured providers
 * not connected yet. The server refuses to remove the last way to sign in
 * and says why.
 */
export function ConnectedAccounts({ accounts: initial, available }: { accounts: ConnectedAccount[]; available: PublicProvider[] }) {
  const [accounts, setAccounts] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const connectedIds = new Set(accounts.map((account) => account.provider.id));
  const connectable = available.filter((provider) => !connectedIds.has(provider.id));

  async function disconnect(account: ConnectedAccount) {
    setBusy(account.id);
    setError(null);
    const result = await withSession(() => postJson<{ status: string }>("/api/account/connected-accounts/disconnect", { externalAccountId: account.id }));
    setBusy(null);
    if (!result.ok) {
      setError(result.formError ?? GENERIC_ERROR_MESSAGE);
      return;
    }
    setAccounts((current) => current.filter((entry) => entry.id !== account.id));
    toast.success(`${account.provider.name} disconnected`);
  }

  return (
    <Section id="connected-accounts" title="Connected accounts" description="Sign in with these providers as well as with your email." error={error}>
      {accounts.length === 0 ? <p className="px-5 py-4 text-sm text-muted-foreground sm:px-6">No accounts connected yet.</p> : null}
      <ul aria-label="Connected accounts" className="divide-y divide-border">
        {accounts.map((account) => (
          <li key={account.id} className="flex items-center gap-3 px-5 py-4 sm:px-6">
            <ProviderMark mark={account.provider.mark} className="size-5 shrink-0" />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-foreground">{account.provider.name}</p>
              <p className="truncate text-sm text-muted-foreground">
                {account.label ? `${account.label} · ` : ""}connected {account.connectedOn}
              </p>
            </div>
            <ConfirmDialog
              trigger="Disconnect"
              title={`Disconnect ${account.provider.name}?`}
              description={`You will no longer be able to sign in with this ${account.provider.name} account. You can connect it again later.`}
              confirmLabel="Disconnect"
              loading={busy === account.id}
              onConfirm={() => disconnect(account)}
            />
          </li>
        ))}
      </ul>
      {connectable.length > 0 ? (
        <div className="grid gap-2 px-5 py-4 sm:px-6">
          <p className="text-sm font-medium text-foreground">Connect an account</p>
          <OAuthButtons providers={connectable} intent="connect" redirectUrl="/account/connected-accounts" divider={false} />
        </div>
      ) : null}
    </Section>
  );
}
