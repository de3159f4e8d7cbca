import { Badge } from "../Badge";
import type { DeliveryStatus, EndpointStatus } from "./webhooks-api";

/** Active / Disabled (by an admin) / Paused (by the circuit, after days of failures); "Failing" while an active one keeps failing. */
export function EndpointStatusBadge({ status, failing = false }: { status: EndpointStatus; failing?: boolean }) {
  if (status === "disabled") return <Badge>Disabled</Badge>;
  if (status === "paused") return <Badge tone="danger">Paused</Badge>;
  return failing ? <Badge tone="warning">Failing</Badge> : <Badge tone="success">Active</Badge>;
}

/** Delivered / Retrying / Queued / Sending / Failed. */
export function DeliveryStatusBadge({ status, attempts }: { status: DeliveryStatus; attempts: number }) {
  if (status === "sent") return <Badge tone="success">Delivered</Badge>;
  if (status === "failed") return <Badge tone="danger">Failed</Badge>;
  if (status === "sending") return <Badge tone="brand">Sending</Badge>;
  return attempts > 0 ? <Badge tone="warning">Retrying</Badge> : <Badge>Queued</Badge>;
}
