"use client";

import { KeyRound, Link2, MonitorSmartphone, UserRound } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

const ITEMS = [
  { href: "/account", label: "Profile", icon: UserRound },
  { href: "/account/security", label: "Security", icon: KeyRound },
  { href: "/account/connected-accounts", label: "Connected accounts", icon: Link2 },
  { href: "/account/devices", label: "Devices", icon: MonitorSmartphone },
] as const;

/** The account pages' navigation (S7): a column on wide screens, a scrolling row on phones. */
export function AccountNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Account" className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
      <ul className="flex gap-1 sm:flex-col">
        {ITEMS.map(({ href, label, icon: Icon }) => {
          const current = pathname === href;
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={[
                  "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors",
                  current ? "bg-muted text-foreground" : "text-muted-foreground hover:bg-muted/60 hover:text-foreground",
                ].join(" ")}
              >
                <Icon aria-hidden="true" className="size-4" />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
