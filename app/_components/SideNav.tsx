"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

export type SideNavItem = {
  href: string;
  label: string;
  icon: ReactNode;
  /** Current only on this exact path (a section's landing page); otherwise also on the pages below it. */
  exact?: boolean;
};
export type SideNavGroup = { label?: string; items: SideNavItem[] };

function isCurrent(pathname: string, item: SideNavItem): boolean {
  return item.exact ? pathname === item.href : pathname === item.href || pathname.startsWith(`${item.href}/`);
}

/** A section's navigation (account pages, admin console): a column on wide screens, a scrolling row on phones. */
export function SideNav({ label, groups }: { label: string; groups: SideNavGroup[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
      <div className="flex gap-1 sm:flex-col sm:gap-4">
        {groups.map((group, index) => (
          <div key={group.label ?? index} className="flex gap-1 sm:flex-col">
            {group.label ? (
              <p className="hidden px-3 pb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase sm:block">{group.label}</p>
            ) : null}
            <ul className="flex gap-1 sm:flex-col">
              {group.items.map((item) => {
                const current = isCurrent(pathname, item);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={current ? "page" : undefined}
                      className={[
                        "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors [&_svg]:size-4",
                        current ? "bg-muted text-foreground" : "text-muted-foreground hover:bg-muted/60 hover:text-foreground",
                      ].join(" ")}
                    >
                      {item.icon}
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
    </nav>
  );
}
