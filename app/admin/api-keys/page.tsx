import type { Metadata } from "next";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { ApiKeysPanel } from "@/app/_components/admin/api-keys/ApiKeysPanel";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { listApiKeys } from "@/lib/api-keys";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "API keys" };

/** Backend API secret keys (S8, S9): list, create (shown once), revoke. */
export default async function ApiKeysPage() {
  await requireAdmin();
  const keys = await listApiKeys();
  return (
    <StepUpProvider>
      <PageHeader
        title="API keys"
        description={
          <>
            Secret keys for your backends to call the REST API at <code className="font-mono text-xs">/api/v1</code> with{" "}
            <code className="font-mono text-xs">Authorization: Bearer sk_live_…</code>. See the{" "}
            <a href="/api/v1/openapi.json" className="font-medium text-foreground underline underline-offset-2">
              OpenAPI document
            </a>
            .
          </>
        }
      />
      <ApiKeysPanel
        initial={keys.map((key) => ({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          createdAt: key.createdAt.toISOString(),
          lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
          revokedAt: key.revokedAt?.toISOString() ?? null,
          status: key.status,
        }))}
      />
    </StepUpProvider>
  );
}
