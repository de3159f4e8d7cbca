"use client";

import { useState } from "react";

/** Gradient pairs with white text at >= 4.5:1 on both ends (WCAG AA). Literal strings so Tailwind sees them. */
const GRADIENTS = [
  "from-indigo-600 to-violet-700",
  "from-blue-600 to-indigo-700",
  "from-emerald-700 to-teal-800",
  "from-rose-600 to-pink-700",
  "from-amber-700 to-orange-800",
  "from-cyan-700 to-sky-800",
  "from-fuchsia-700 to-purple-800",
  "from-slate-600 to-slate-800",
] as const;

/** FNV-1a: a stable, tiny hash so the same user always gets the same colours. */
function hash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function gradientFor(id: string): string {
  return GRADIENTS[hash(id) % GRADIENTS.length] ?? GRADIENTS[0];
}

export function initialsFor(user: { firstName: string | null; lastName: string | null; email: string | null }): string {
  const first = user.firstName?.trim().charAt(0) ?? "";
  const last = user.lastName?.trim().charAt(0) ?? "";
  const initials = `${first}${last}` || user.email?.trim().charAt(0) || "?";
  return initials.toUpperCase();
}

export type AvatarUser = {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl?: string | null;
};

/** Decorative avatar: the surrounding control carries the accessible name. */
export function Avatar({ user, size = "md" }: { user: AvatarUser; size?: "xs" | "sm" | "md" }) {
  const [imageFailed, setImageFailed] = useState(false);
  const box = size === "xs" ? "size-5 text-[0.625rem]" : size === "sm" ? "size-8 text-xs" : "size-10 text-sm";
  return (
    <span
      aria-hidden="true"
      className={`inline-flex shrink-0 items-center justify-center overflow-hidden rounded-full bg-linear-to-br font-semibold tracking-wide text-white select-none ${gradientFor(user.id)} ${box}`}
    >
      {user.imageUrl && !imageFailed ? (
        // eslint-disable-next-line @next/next/no-img-element -- a remote avatar of unknown origin; no optimisation wanted
        <img src={user.imageUrl} alt="" className="size-full object-cover" referrerPolicy="no-referrer" onError={() => setImageFailed(true)} />
      ) : (
        initialsFor(user)
      )}
    </span>
  );
}
