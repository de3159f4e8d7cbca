import Link from "next/link";
import { formatDateTime } from "./labels";

export type AuditTableRow = {
  id: string;
  type: string;
  actorId: string | null;
  actorEmail?: string | null;
  targetId: string | null;
  targetEmail?: string | null;
  ip: string | null;
  userAgent: string | null;
  data: unknown;
  createdAt: Date | string;
};

function Person({ id, email }: { id: string | null; email?: string | null }) {
  if (!id) return <span className="text-muted-foreground">—</span>;
  return (
    <Link href={`/admin/users/${id}`} className="underline-offset-2 hover:underline">
      {email ?? id}
    </Link>
  );
}

/** Details beyond the columns, as short key=value text (the CSV export has the full JSON). */
function summary(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data as Record<string, unknown>)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ")
    .slice(0, 160);
}

/** Audit events (S8): what happened, who did it, to whom, from where, when. */
export function AuditTable({ events, caption, showTarget = true }: { events: AuditTableRow[]; caption: string; showTarget?: boolean }) {
  if (events.length === 0) return <p className="px-4 py-8 text-center text-sm text-muted-foreground">No events.</p>;
  return (
    // Focusable, so keyboard users can scroll it sideways on a narrow screen.
    <div tabIndex={0} role="region" aria-label={caption} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
      <table className="w-full min-w-[44rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-border text-muted-foreground">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Time</th>
            <th scope="col" className="px-4 py-2 font-medium">Event</th>
            <th scope="col" className="px-4 py-2 font-medium">Actor</th>
            {showTarget ? <th scope="col" className="px-4 py-2 font-medium">Target</th> : null}
            <th scope="col" className="px-4 py-2 font-medium">IP</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {events.map((event) => (
            <tr key={event.id} className="align-top">
              <td className="px-4 py-2 whitespace-nowrap text-muted-foreground">{formatDateTime(event.createdAt)}</td>
              <td className="px-4 py-2">
                <code className="font-mono text-xs text-foreground">{event.type}</code>
                {summary(event.data) ? <p className="mt-0.5 max-w-xs truncate text-xs text-muted-foreground" title={summary(event.data)}>{summary(event.data)}</p> : null}
              </td>
              <td className="px-4 py-2">
                <Person id={event.actorId} email={event.actorEmail} />
              </td>
              {showTarget ? (
                <td className="px-4 py-2">
                  <Person id={event.targetId} email={event.targetEmail} />
                </td>
              ) : null}
              <td className="px-4 py-2 whitespace-nowrap text-muted-foreground" title={event.userAgent ?? undefined}>
                {event.ip ?? "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
