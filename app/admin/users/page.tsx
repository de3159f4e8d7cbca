import Link from "next/link";
import { z } from "zod";
import { Avatar } from "@/app/_components/Avatar";
import { Badge } from "@/app/_components/admin/Badge";
import { KeysetPager, filterParams } from "@/app/_components/admin/KeysetPager";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { displayName, formatDate, formatDateTime } from "@/app/_components/admin/labels";
import type { SearchParams } from "@/app/_components/searchParams";
import { searchUsers } from "@/lib/admin";
import { requireAdmin } from "@/lib/session/server";

/** The list's query string, read leniently: a bad value is dropped (and said), never a 500. */
const flag = z.enum(["true", "false"]).transform((value) => value === "true");
const day = z.iso.date().transform((value) => new Date(`${value}T00:00:00Z`));
const filtersSchema = z.object({
  query: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(["banned", "locked", "active"]).optional().catch(undefined),
  mfa: flag.optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  sort: z.enum(["created_desc", "created_asc", "last_sign_in_desc"]).optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
});

const SORTS = [
  { value: "created_desc", label: "Newest first" },
  { value: "created_asc", label: "Oldest first" },
  { value: "last_sign_in_desc", label: "Last signed in" },
] as const;

const field = "h-10 rounded-md border border-input bg-card px-3 text-sm text-foreground";

/** Users (S8): server-side search and filters, keyset pagination (fast at 100k users). */
export default async function AdminUsersPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value || undefined]));
  const filters = filtersSchema.parse(raw);
  const toEndOfDay = filters.to ? new Date(filters.to.getTime() + 86_400_000) : undefined;
  const result = await searchUsers({
    query: filters.query || undefined,
    banned: filters.status === "banned" ? true : filters.status === "active" ? false : undefined,
    locked: filters.status === "locked" ? true : undefined,
    mfa: filters.mfa,
    createdFrom: filters.from,
    createdTo: toEndOfDay,
    sort: filters.sort,
    cursor: filters.cursor ?? null,
    limit: 25,
  });
  const keep = filterParams(raw);
  const filtered = keep.size > 0;

  return (
    <>
      <PageHeader title="Users" description="Search by email, name, username or id prefix." />
      <form method="get" action="/admin/users" role="search" aria-label="Users" className="mb-6 grid gap-3 rounded-xl border border-border bg-card p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6">
        <label className="grid gap-1 text-sm font-medium sm:col-span-2">
          Search
          <input type="search" name="query" defaultValue={filters.query ?? ""} placeholder="alice@example.com, Alice, user_2x…" className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium">
          Status
          <select name="status" defaultValue={filters.status ?? ""} className={field}>
            <option value="">Any</option>
            <option value="active">Not banned</option>
            <option value="banned">Banned</option>
            <option value="locked">Locked</option>
          </select>
        </label>
        <label className="grid gap-1 text-sm font-medium">
          MFA
          <select name="mfa" defaultValue={filters.mfa === undefined ? "" : String(filters.mfa)} className={field}>
            <option value="">Any</option>
            <option value="true">On</option>
            <option value="false">Off</option>
          </select>
        </label>
        <label className="grid gap-1 text-sm font-medium">
          Created from
          <input type="date" name="from" defaultValue={raw.from ?? ""} className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium">
          Created to
          <input type="date" name="to" defaultValue={raw.to ?? ""} className={field} />
        </label>
        <label className="grid gap-1 text-sm font-medium sm:col-span-2 lg:col-span-2">
          Sort
          <select name="sort" defaultValue={filters.sort ?? "created_desc"} className={field}>
            {SORTS.map((sort) => (
              <option key={sort.value} value={sort.value}>
                {sort.label}
              </option>
            ))}
          </select>
        </label>
        <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-4 lg:justify-end">
          {filtered ? (
            <Link href="/admin/users" className="inline-flex h-10 items-center rounded-md px-4 text-sm font-semibold text-foreground hover:bg-muted">
              Clear
            </Link>
          ) : null}
          <button type="submit" className="inline-flex h-10 items-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm hover:bg-brand-hover">
            Apply
          </button>
        </div>
      </form>

      <div tabIndex={0} role="region" aria-label="Users table" className="overflow-x-auto rounded-xl border border-border bg-card shadow-sm focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full min-w-[40rem] text-left text-sm">
          <caption className="sr-only">Users{filtered ? " matching the filters" : ""}</caption>
          <thead className="border-b border-border text-muted-foreground">
            <tr>
              <th scope="col" className="px-4 py-3 font-medium">User</th>
              <th scope="col" className="px-4 py-3 font-medium">Status</th>
              <th scope="col" className="px-4 py-3 font-medium">Created</th>
              <th scope="col" className="px-4 py-3 font-medium">Last sign-in</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {result.users.map((user) => (
              <tr key={user.id} className="hover:bg-muted/40">
                <td className="px-4 py-3">
                  <div className="flex items-center gap-3">
                    <Avatar user={user} size="sm" />
                    <div className="min-w-0">
                      <Link href={`/admin/users/${user.id}`} className="font-medium text-foreground underline-offset-2 hover:underline">
                        {displayName(user)}
                      </Link>
                      <p className="truncate text-muted-foreground">{user.email ?? user.id}</p>
                    </div>
                  </div>
                </td>
                <td className="px-4 py-3">
                  <div className="flex flex-wrap gap-1">
                    {user.role === "admin" ? <Badge tone="brand">Admin</Badge> : null}
                    {user.banned ? <Badge tone="danger">Banned</Badge> : null}
                    {user.lockedUntil && new Date(user.lockedUntil) > new Date() ? <Badge tone="warning">Locked</Badge> : null}
                    {user.mfaEnabled ? <Badge tone="success">MFA</Badge> : null}
                    {!user.emailVerified && user.email ? <Badge>Unverified</Badge> : null}
                  </div>
                </td>
                <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{formatDate(user.createdAt)}</td>
                <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{formatDateTime(user.lastSignInAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.users.length === 0 ? <p className="px-4 py-8 text-center text-sm text-muted-foreground">No users match.</p> : null}
      </div>
      <KeysetPager path="/admin/users" filters={keep} cursor={filters.cursor} nextCursor={result.nextCursor} />
    </>
  );
}
