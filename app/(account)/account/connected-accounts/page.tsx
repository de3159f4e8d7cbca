import type { Metadata } from "next";
import { ConnectedAccounts } from "@/app/_components/account/ConnectedAccounts";
import { Notice } from "@/app/_components/Alert";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { configuredProviders, publicProvider } from "@/lib/oauth";
import { requireUser } from "@/lib/session/server";
import { getInstanceSettings } from "@/lib/settings";
import { listExternalAccounts } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Connected accounts" };
export const dynamic = "force-dynamic";

const connectedOn = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

/** Connect and disconnect sign-in providers (S5, S7). The account-pages issue folds this into the full profile. */
export default async function ConnectedAccountsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const [settings, linked, query] = await Promise.all([getInstanceSettings(), listExternalAccounts(user.id), searchParams]);
  const providers = configuredProviders(settings);
  const justConnected = providers.find((provider) => provider.id === firstParam(query.connected));
  const accounts = linked.map((account) => {
    const provider = providers.find((entry) => entry.id === account.provider);
    return {
      id: account.id,
      provider: provider ? publicProvider(provider) : { id: account.provider, name: account.provider, mark: "generic" as const },
      label: account.email ?? account.username,
      connectedOn: connectedOn.format(account.createdAt),
    };
  });

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight text-foreground">Connected accounts</h1>
      <p className="mt-1 text-sm text-muted-foreground">Providers you can sign in with.</p>
      <div className="mt-8 grid grid-cols-1 gap-6">
        {justConnected ? <Notice>{justConnected.name} is now connected to your account.</Notice> : null}
        <ConnectedAccounts accounts={accounts} available={providers.map(publicProvider)} />
      </div>
    </>
  );
}
