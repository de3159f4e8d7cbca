import type { ReactNode } from "react";

/** Shared frame for the sign-in and sign-up pages: a centred card on a quiet backdrop. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main
      id="main"
      className="relative isolate flex min-h-dvh flex-col items-center justify-center px-4 py-10 sm:py-16"
    >
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-x-0 top-0 -z-10 h-72 bg-linear-to-b from-brand/10 to-transparent"
      />
      {children}
    </main>
  );
}
