"use client";

import { ChevronDown, ChevronRight, RotateCw, Send } from "lucide-react";
import { Fragment, useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { withSession } from "../../api";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { formatDateTime } from "../labels";
import { DeliveryStatusBadge } from "./badges";
import { EVENT_DESCRIPTIONS, WEBHOOK_EVENT_TYPES, postEndpointAction, readDeliveries, type DeliveryJson, type DeliveryPageJson, type DeliveryStatus } from "./webhooks-api";

/** While a delivery is being sent or is due this soon, the log refreshes itself. */
const POLL_MS = 1500;
const DUE_SOON_MS = 30_000;

const STATUS_FILTERS: { value: DeliveryStatus | ""; label: string }[] = [
  { value: "", label: "All deliveries" },
  { value: "sent", label: "Delivered" },
  { value: "failed", label: "Failed" },
  { value: "pending", label: "Waiting" },
];

const selectClass = "h-10 rounded-md border border-input bg-card px-3 text-sm text-foreground";

/**
 * "Send example" and the delivery log (S9): newest first, each delivery with
 * its status, latest HTTP status and latency, attempts; expand one to see the
 * payload as sent and every attempt (status, latency, response excerpt), and
 * replay it (same svix-id). Refreshes itself while a delivery is on its way.
 */
export function DeliveriesPanel({ endpointId, initial, canSend }: { endpointId: string; initial: DeliveryPageJson; canSend: boolean }) {
  const [rows, setRows] = useState<DeliveryJson[]>(initial.deliveries);
  const [nextCursor, setNextCursor] = useState<string | null>(initial.nextCursor);
  const [morePages, setMorePages] = useState(false);
  const [filter, setFilter] = useState<DeliveryStatus | "">("");
  const [loading, setLoading] = useState<"reload" | "more" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const reload = useCallback(
    async (options: { filter?: DeliveryStatus | ""; quiet?: boolean } = {}) => {
      const status = options.filter ?? filter;
      if (!options.quiet) setLoading("reload");
      const result = await readDeliveries(endpointId, { status });
      if (!options.quiet) setLoading(null);
      if (!result.ok) {
        if (!options.quiet) setError(result.formError ?? "The delivery log could not be loaded.");
        return;
      }
      setError(null);
      setRows(result.data.deliveries);
      setNextCursor(result.data.nextCursor);
      setMorePages(false);
    },
    [endpointId, filter],
  );

  async function loadMore() {
    if (!nextCursor) return;
    setLoading("more");
    const result = await readDeliveries(endpointId, { cursor: nextCursor, status: filter });
    setLoading(null);
    if (!result.ok) {
      setError(result.formError ?? "More deliveries could not be loaded.");
      return;
    }
    setRows((current) => [...current, ...result.data.deliveries]);
    setNextCursor(result.data.nextCursor);
    setMorePages(true);
  }

  // Follow deliveries on their way (an example just sent, a retry due now); not once the admin paged further.
  const inFlight = rows.some(
    (row) => row.status === "sending" || (row.status === "pending" && row.nextAttemptAt !== null && Date.parse(row.nextAttemptAt) - Date.now() < DUE_SOON_MS),
  );
  useEffect(() => {
    if (!inFlight || morePages) return;
    const timer = setTimeout(() => void reload({ quiet: true }), POLL_MS);
    return () => clearTimeout(timer);
  }, [inFlight, morePages, rows, reload]);

  function toggle(id: string) {
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  return (
    <div className="grid gap-5">
      <SendExampleForm endpointId={endpointId} canSend={canSend} onSent={() => reload()} />

      <div className="flex flex-wrap items-end justify-between gap-3 border-t border-border pt-5">
        <h3 id="delivery-log-heading" className="text-base font-semibold">
          Delivery log
        </h3>
        <div className="flex flex-wrap items-end gap-2">
          <label className="grid gap-1 text-sm font-medium">
            Show
            <select
              className={selectClass}
              value={filter}
              onChange={(event) => {
                const value = event.target.value as DeliveryStatus | "";
                setFilter(value);
                void reload({ filter: value });
              }}
            >
              {STATUS_FILTERS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <Button variant="secondary" loading={loading === "reload"} onClick={() => reload()}>
            <RotateCw aria-hidden="true" className="size-4" />
            Refresh
          </Button>
        </div>
      </div>
      <FormAlert message={error} />

      <div tabIndex={0} role="region" aria-labelledby="delivery-log-heading" aria-busy={loading === "reload" || undefined} className="overflow-x-auto rounded-lg border border-border focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full min-w-[42rem] text-left text-sm">
          <caption className="sr-only">Deliveries to this endpoint, newest first</caption>
          <thead className="border-b border-border text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2.5 font-medium">Event</th>
              <th scope="col" className="px-3 py-2.5 font-medium">Status</th>
              <th scope="col" className="px-3 py-2.5 font-medium">HTTP</th>
              <th scope="col" className="px-3 py-2.5 font-medium">Latency</th>
              <th scope="col" className="px-3 py-2.5 font-medium">Attempts</th>
              <th scope="col" className="px-3 py-2.5 font-medium">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {rows.map((row) => (
              <DeliveryRows key={row.id} endpointId={endpointId} row={row} open={expanded.has(row.id)} onToggle={() => toggle(row.id)} onReplayed={() => reload()} />
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="px-4 py-8 text-center text-sm text-muted-foreground">{filter ? "No deliveries in this state." : "No deliveries yet. Send an example to try the endpoint."}</p>
        ) : null}
      </div>
      {nextCursor ? (
        <div className="flex justify-end">
          <Button variant="secondary" loading={loading === "more"} onClick={loadMore}>
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function SendExampleForm({ endpointId, canSend, onSent }: { endpointId: string; canSend: boolean; onSent: () => void }) {
  const [type, setType] = useState<string>(WEBHOOK_EVENT_TYPES[0]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSending(true);
    setError(null);
    const result = await withSession(() => postEndpointAction<{ messageId: string }>(endpointId, "example", { type }, ["type"]));
    setSending(false);
    if (!result.ok) {
      setError(result.fieldErrors.type ?? result.formError ?? "The example could not be sent.");
      return;
    }
    toast.success(`Example ${type} event queued.`);
    onSent();
  }

  return (
    <form onSubmit={onSubmit} className="grid gap-2" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} className="text-base font-semibold">
        Send example
      </h3>
      <p id={`${id}-hint`} className="text-sm text-muted-foreground">
        Sends one example event of the chosen type to this endpoint only, whatever its event filter, signed like a real one.
        {canSend ? null : " Enable the endpoint to send to it."}
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <label className="grid gap-1 text-sm font-medium">
          Event type
          <select className={`${selectClass} font-mono`} value={type} onChange={(event) => setType(event.target.value)} aria-describedby={`${id}-hint`}>
            {WEBHOOK_EVENT_TYPES.map((eventType) => (
              <option key={eventType} value={eventType} title={EVENT_DESCRIPTIONS[eventType]}>
                {eventType}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" loading={sending} disabled={!canSend}>
          <Send aria-hidden="true" className="size-4" />
          Send example
        </Button>
      </div>
      <FormAlert message={error} />
    </form>
  );
}

function DeliveryRows({
  endpointId,
  row,
  open,
  onToggle,
  onReplayed,
}: {
  endpointId: string;
  row: DeliveryJson;
  open: boolean;
  onToggle: () => void;
  onReplayed: () => void;
}) {
  const [replaying, setReplaying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = row.attemptLog[0] ?? null;
  const detailsId = `delivery-${row.id}`;
  const cell = "px-3 py-2.5 whitespace-nowrap";

  async function replay() {
    setReplaying(true);
    setError(null);
    const result = await withSession(() => postEndpointAction<{ messageId: string }>(endpointId, `deliveries/${encodeURIComponent(row.id)}/replay`));
    setReplaying(false);
    if (!result.ok) {
      setError(result.formError ?? "The delivery could not be replayed.");
      return;
    }
    toast.success(`Replay of ${row.eventType} queued.`);
    onReplayed();
  }

  return (
    <Fragment>
      <tr className="hover:bg-muted/40">
        <td className="px-3 py-1.5">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={onToggle}
            className="inline-flex items-center gap-1.5 rounded-md px-1.5 py-1 font-mono text-xs font-medium text-foreground hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
          >
            {open ? <ChevronDown aria-hidden="true" className="size-4" /> : <ChevronRight aria-hidden="true" className="size-4" />}
            {row.eventType}
            <span className="sr-only">, {formatDateTime(row.createdAt)}: details</span>
          </button>
        </td>
        <td className={cell}>
          <DeliveryStatusBadge status={row.status} attempts={row.attempts} />
        </td>
        <td className={`${cell} font-mono text-xs`}>{latest ? (latest.statusCode ?? "No response") : "—"}</td>
        <td className={`${cell} text-muted-foreground`}>{latest ? `${latest.latencyMs} ms` : "—"}</td>
        <td className={`${cell} text-muted-foreground`}>{row.attempts}</td>
        <td className={`${cell} text-muted-foreground`}>{formatDateTime(row.createdAt)}</td>
      </tr>
      {open ? (
        <tr id={detailsId}>
          <td colSpan={6} className="bg-muted/30 px-3 py-4">
            <div className="grid gap-4">
              <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
                <div>
                  <dt className="text-muted-foreground">Message id (svix-id)</dt>
                  <dd className="font-mono text-xs break-all">{row.msgId ?? "—"}</dd>
                </div>
                <div>
                  <dt className="text-muted-foreground">{row.status === "sent" ? "Delivered" : row.status === "pending" ? "Next attempt" : "Last change"}</dt>
                  <dd>{formatDateTime(row.status === "sent" ? row.sentAt : row.status === "pending" ? row.nextAttemptAt : (latest?.createdAt ?? row.createdAt))}</dd>
                </div>
                {row.lastError && row.status !== "sent" ? (
                  <div className="sm:col-span-2">
                    <dt className="text-muted-foreground">Last error</dt>
                    <dd className="break-words">{row.lastError}</dd>
                  </div>
                ) : null}
              </dl>

              <div className="grid gap-1.5">
                <h4 className="text-sm font-medium">Payload</h4>
                <pre tabIndex={0} role="region" aria-label={`Payload of ${row.eventType}`} className="max-h-80 overflow-auto rounded-md border border-border bg-card p-3 font-mono text-xs focus-visible:outline-2 focus-visible:outline-ring">
                  {JSON.stringify(row.payload, null, 2)}
                </pre>
              </div>

              <div className="grid gap-1.5">
                <h4 className="text-sm font-medium">Attempts</h4>
                {row.attemptLog.length ? (
                  <table className="w-full text-left text-xs">
                    <caption className="sr-only">Attempts to deliver this {row.eventType} event, newest first</caption>
                    <thead className="text-muted-foreground">
                      <tr>
                        <th scope="col" className="py-1 pr-3 font-medium">#</th>
                        <th scope="col" className="py-1 pr-3 font-medium">Time</th>
                        <th scope="col" className="py-1 pr-3 font-medium">HTTP</th>
                        <th scope="col" className="py-1 pr-3 font-medium">Latency</th>
                        <th scope="col" className="py-1 font-medium">Response</th>
                      </tr>
                    </thead>
                    <tbody>
                      {row.attemptLog.map((attempt) => (
                        <tr key={attempt.id} className="align-top">
                          <td className="py-1 pr-3">{attempt.attempt}</td>
                          <td className="py-1 pr-3 whitespace-nowrap">{formatDateTime(attempt.createdAt)}</td>
                          <td className="py-1 pr-3 font-mono">{attempt.statusCode ?? "No response"}</td>
                          <td className="py-1 pr-3 whitespace-nowrap">{attempt.latencyMs} ms</td>
                          <td className="py-1 font-mono break-all">{attempt.responseExcerpt || <span className="text-muted-foreground">(empty)</span>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <p className="text-muted-foreground">Not tried yet.</p>
                )}
              </div>

              <div className="grid gap-2">
                <div>
                  <Button variant="secondary" loading={replaying} disabled={row.status === "pending" || row.status === "sending"} onClick={replay}>
                    <RotateCw aria-hidden="true" className="size-4" />
                    Replay
                  </Button>
                </div>
                <FormAlert message={error} />
              </div>
            </div>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}
