import Link from "next/link";

const linkClass = "inline-flex h-10 items-center rounded-md border border-border bg-card px-4 text-sm font-semibold hover:bg-muted";

/** A list page's filters from its query string (every non-empty value but the cursor), kept across pages. */
export function filterParams(raw: Record<string, string | undefined>): URLSearchParams {
  const keep = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) if (value && key !== "cursor") keep.set(key, value);
  return keep;
}

/**
 * Keyset pages (S8): "First page" once past it, "Next page" while there is
 * one. There is no "Previous": a cursor only points forward.
 */
export function KeysetPager({ path, filters, cursor, nextCursor }: { path: string; filters: URLSearchParams; cursor: string | undefined; nextCursor: string | null }) {
  const next = new URLSearchParams(filters);
  if (nextCursor) next.set("cursor", nextCursor);
  return (
    <nav aria-label="Pages" className="mt-4 flex justify-end gap-2">
      {cursor ? (
        <Link href={`${path}${filters.size ? `?${filters}` : ""}`} className={linkClass}>
          First page
        </Link>
      ) : null}
      {nextCursor ? (
        <Link href={`${path}?${next}`} className={linkClass}>
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
