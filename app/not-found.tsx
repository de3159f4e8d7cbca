import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { pageBranding } from "./_components/branding";
import { LogoMark } from "./_components/LogoMark";

export const metadata: Metadata = { title: "Page not found" };

// Rendered per request (not prerendered) so its scripts carry the CSP nonce middleware sets.
export default async function NotFound() {
  await connection();
  const { instanceName } = await pageBranding();
  return (
    <main id="main" className="flex min-h-dvh flex-col items-center justify-center px-4 py-16 text-center">
      <LogoMark size="lg" />
      <p className="mt-6 text-sm font-semibold text-brand">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-foreground sm:text-3xl">Page not found</h1>
      <p className="mt-3 max-w-sm text-muted-foreground">
        The page you are looking for does not exist or has moved.
      </p>
      <Link
        href="/"
        className="mt-8 inline-flex h-10 items-center justify-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm transition-colors hover:bg-brand-hover"
      >
        Back to {instanceName}
      </Link>
    </main>
  );
}
