import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { Notice } from "@/app/_components/Alert";
import { Panel } from "@/app/_components/admin/PageHeader";
import { formatDateTime } from "@/app/_components/admin/labels";
import { DeliveriesPanel } from "@/app/_components/admin/webhooks/DeliveriesPanel";
import { EndpointActions } from "@/app/_components/admin/webhooks/EndpointActions";
import { EndpointSettings } from "@/app/_components/admin/webhooks/EndpointSettings";
import { SigningSecret } from "@/app/_components/admin/webhooks/SigningSecret";
import { EndpointStatusBadge } from "@/app/_components/admin/webhooks/badges";
import { isAppError } from "@/lib/errors";
import { requireAdmin } from "@/lib/session/server";
import { getWebhookEndpoint, listWebhookDeliveries, parseWebhookEndpointId, type WebhookEndpointDetail } from "@/lib/webhooks";

export const metadata: Metadata = { title: "Webhook endpoint" };

async function endpointOrNotFound(id: string): Promise<WebhookEndpointDetail> {
  try {
    return await getWebhookEndpoint(parseWebhookEndpointId(id));
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
}

/** One webhook endpoint (S9): state, settings, signing secret, example events and the delivery log. */
export default async function WebhookEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  const endpoint = await endpointOrNotFound(id);
  const deliveries = await listWebhookDeliveries(endpoint.id);
  const now = Date.now();
  const previousSecretUntil =
    endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > now ? formatDateTime(endpoint.previousSecretExpiresAt) : null;

  return (
    <StepUpProvider>
      <Link href="/admin/webhooks" className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft aria-hidden="true" className="size-4" /> Webhooks
      </Link>
      <div className="mb-6 grid gap-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="min-w-0 text-2xl font-semibold tracking-tight break-all text-foreground">{endpoint.url}</h1>
          <EndpointStatusBadge status={endpoint.status} failing={Boolean(endpoint.failingSince)} />
        </div>
        <p className="text-sm text-muted-foreground">
          {endpoint.description ? `${endpoint.description} · ` : ""}
          <code className="font-mono text-xs">{endpoint.id}</code> · added {formatDateTime(endpoint.createdAt)}
        </p>
      </div>

      <div className="grid grid-cols-1 gap-6">
        {endpoint.status === "paused" ? (
          <Notice tone="warning">
            Paused {formatDateTime(endpoint.pausedAt)}: every delivery failed since {formatDateTime(endpoint.failingSince)}, so nothing more is sent. Fix the
            receiver, then re-enable the endpoint; replay the deliveries it missed from the log.
          </Notice>
        ) : endpoint.failingSince && endpoint.status === "active" ? (
          <Notice tone="warning">
            Every delivery has failed since {formatDateTime(endpoint.failingSince)}. Failed deliveries are retried for about a day; after 5 days of failures the
            endpoint is paused.
          </Notice>
        ) : null}

        <Panel id="actions" title="Actions">
          <EndpointActions endpoint={{ id: endpoint.id, url: endpoint.url, status: endpoint.status }} />
        </Panel>

        <Panel id="settings" title="Settings">
          <EndpointSettings endpointId={endpoint.id} initial={{ url: endpoint.url, description: endpoint.description ?? "", events: endpoint.events }} />
        </Panel>

        <Panel id="secret" title="Signing secret">
          <SigningSecret endpointId={endpoint.id} previousSecretUntil={previousSecretUntil} />
        </Panel>

        <Panel id="deliveries" title="Deliveries">
          <DeliveriesPanel endpointId={endpoint.id} initial={deliveries} canSend={endpoint.status === "active"} />
        </Panel>
      </div>
    </StepUpProvider>
  );
}
