import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { formatDateTime } from "@/app/_components/admin/labels";
import { AddEndpointDialog } from "@/app/_components/admin/webhooks/AddEndpointDialog";
import { DeliveryStatusBadge, EndpointStatusBadge } from "@/app/_components/admin/webhooks/badges";
import { requireAdmin } from "@/lib/session/server";
import { listWebhookEndpoints } from "@/lib/webhooks";

export const metadata: Metadata = { title: "Webhooks" };

/** Webhook endpoints (S9): where user, session, email and SMS events go, their state and last delivery. */
export default async function WebhooksPage() {
  await requireAdmin();
  const endpoints = await listWebhookEndpoints();
  return (
    <>
      <PageHeader
        title="Webhooks"
        description={
          <>
            Your other apps receive user, session, email and SMS events, signed so the official <code className="font-mono text-xs">svix</code> library verifies
            them (docs/webhooks.md).
          </>
        }
        actions={<AddEndpointDialog />}
      />
      <div tabIndex={0} role="region" aria-label="Webhook endpoints table" className="overflow-x-auto rounded-xl border border-border bg-card shadow-sm focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full min-w-[44rem] text-left text-sm">
          <caption className="sr-only">Webhook endpoints</caption>
          <thead className="border-b border-border text-muted-foreground">
            <tr>
              <th scope="col" className="px-4 py-3 font-medium">Endpoint</th>
              <th scope="col" className="px-4 py-3 font-medium">Status</th>
              <th scope="col" className="px-4 py-3 font-medium">Events</th>
              <th scope="col" className="px-4 py-3 font-medium">Last delivery</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {endpoints.map((endpoint) => (
              <tr key={endpoint.id} className="align-top hover:bg-muted/40">
                <td className="max-w-md px-4 py-3">
                  <Link href={`/admin/webhooks/${endpoint.id}`} className="font-medium break-all text-foreground underline-offset-2 hover:underline">
                    {endpoint.url}
                  </Link>
                  {endpoint.description ? <p className="truncate text-muted-foreground">{endpoint.description}</p> : null}
                </td>
                <td className="px-4 py-3">
                  <EndpointStatusBadge status={endpoint.status} failing={Boolean(endpoint.failingSince)} />
                </td>
                <td className="px-4 py-3 text-muted-foreground">
                  {endpoint.events.length === 0 ? (
                    "All events"
                  ) : (
                    <ul className="grid gap-0.5">
                      {endpoint.events.map((type) => (
                        <li key={type} className="font-mono text-xs">
                          {type}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="px-4 py-3 whitespace-nowrap">
                  {endpoint.lastDelivery ? (
                    <div className="grid gap-1">
                      <div className="flex items-center gap-2">
                        <DeliveryStatusBadge status={endpoint.lastDelivery.status} attempts={endpoint.lastDelivery.attemptedAt ? 1 : 0} />
                        {endpoint.lastDelivery.statusCode !== null ? <span className="font-mono text-xs">HTTP {endpoint.lastDelivery.statusCode}</span> : null}
                      </div>
                      <span className="text-muted-foreground">
                        <span className="font-mono text-xs">{endpoint.lastDelivery.eventType}</span> · {formatDateTime(endpoint.lastDelivery.attemptedAt ?? endpoint.lastDelivery.createdAt)}
                      </span>
                    </div>
                  ) : (
                    <span className="text-muted-foreground">None yet</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {endpoints.length === 0 ? (
          <p className="px-4 py-8 text-center text-sm text-muted-foreground">No endpoints yet. Add one to start receiving events.</p>
        ) : null}
      </div>
    </>
  );
}
