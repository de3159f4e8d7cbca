import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { AuditTable } from "@/app/_components/admin/AuditTable";
import { ExportCsvLink } from "@/app/_components/admin/ExportCsvLink";
import { KeysetPager, filterParams } from "@/app/_components/admin/KeysetPager";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import type { SearchParams } from "@/app/_components/searchParams";
import { auditEventTypes, findUserIdByEmail, listAuditEvents } from "@/lib/admin";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "Audit log" };

const day = z.iso.date().transform((value) => new Date(`${value}T00:00:00Z`));
const person = z.string().trim().min(1).max(320);
/** Read leniently: a bad value is dropped, never a 500. */
const filtersSchema = z.object({
  type: z.string().max(80).optional().catch(undefined),
  actor: person.optional().catch(undefined),
  target: person.optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
});

/** A user id as typed, or the id of the account an email address belongs to. */
async function personId(value: string | undefined): Promise<string | undefined> {
  if (!value) return undefined;
  if (!value.includes("@")) return value;
  // No such account: filter on an id nothing has, so the page says "No events" rather than showing everything.
  return findUserIdByEmail(value).catch(() => "none");
}

const field = "h-10 rounded-md border border-input bg-card px-3 text-sm text-foreground";

/** The audit log (S8): append-only; filters by type, actor, target and time; keyset pages; CSV export that streams. */
export default async function AdminAuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value || undefined]));
  const filters = filtersSchema.parse(raw);
  const query = {
    type: filters.type,
    actorId: await personId(filters.actor),
    targetId: await personId(filters.target),
    from: filters.from,
    to: filters.to ? new Date(filters.to.getTime() + 86_400_000) : undefined,
  };
  const page = await listAuditEvents({ ...query, cursor: filters.cursor ?? null, limit: 50 });
  const keep = filterParams(raw);
  const exportParams = new URLSearchParams();
  if (query.type) exportParams.set("type", query.type);
  if (query.actorId) exportParams.set("actorId", query.actorId);
  if (query.targetId) exportParams.set("targetId", query.targetId);
  if (query.from) exportParams.set("from", query.from.toISOString());
  if (query.to) exportParams.set("to", query.to.toISOString());

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every sign-in, change and admin action. Entries are never edited or deleted."
        actions={
          <ExportCsvLink href={`/api/admin/audit/export${exportParams.size ? `?${exportParams}` : ""}`} />
        }
      />
      <form method="get" action="/admin/audit" role="search" aria-label="Audit log" className="mb-6 grid gap-3 rounded-xl border border-border bg-card p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-5">
        <label className="grid gap-1 text-sm font-medium">
          Event
          <select name="type" defaultValue={filters.type ?? ""} className={field}>
            <option value="">Any</option>
            {auditEventTypes().map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1 text-sm font-medium">
          Actor (id or email)
          <input name="actor" defaultValue={filters.actor ?? ""} className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium">
          Target (id or email)
          <input name="target" defaultValue={filters.target ?? ""} className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium">
          From
          <input type="date" name="from" defaultValue={raw.from ?? ""} className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium">
          To
          <input type="date" name="to" defaultValue={raw.to ?? ""} className={field} />
        </label>
        <div className="flex justify-end gap-2 sm:col-span-2 lg:col-span-5">
          {keep.size ? (
            <Link href="/admin/audit" className="inline-flex h-10 items-center rounded-md px-4 text-sm font-semibold hover:bg-muted">
              Clear
            </Link>
          ) : null}
          <button type="submit" className="inline-flex h-10 items-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm hover:bg-brand-hover">
            Apply
          </button>
        </div>
      </form>
      <div className="rounded-xl border border-border bg-card shadow-sm">
        <AuditTable events={page.events} caption="Audit events, newest first" />
      </div>
      <KeysetPager path="/admin/audit" filters={keep} cursor={filters.cursor} nextCursor={page.nextCursor} />
    </>
  );
}
