import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
// Geist, bundled from npm through next/font/local: no network at build or run time.
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import { brandStyleSheet } from "@/lib/branding/palette";
import { pageBranding, requestNonce } from "./_components/branding";
import { ImpersonationBanner } from "./_components/ImpersonationBanner";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { instanceName } = await pageBranding();
  return {
    title: { default: instanceName, template: `%s · ${instanceName}` },
    description: `Sign in to ${instanceName}.`,
    robots: { index: false, follow: false },
  };
}

/** The browser chrome follows the theme: forced by the admin, else the visitor's preference. */
export async function generateViewport(): Promise<Viewport> {
  const { theme } = await pageBranding();
  const light = "#f6f6f7";
  const dark = "#09090b";
  return {
    width: "device-width",
    initialScale: 1,
    colorScheme: theme === "system" ? "light dark" : theme,
    themeColor:
      theme === "system"
        ? [
            { media: "(prefers-color-scheme: light)", color: light },
            { media: "(prefers-color-scheme: dark)", color: dark },
          ]
        : theme === "light"
          ? light
          : dark,
  };
}

/**
 * Every page: the admin's branding (S8, S11) is server-rendered here, so it
 * shows from the first paint with no script: the theme as `data-theme`
 * (app/globals.css) and the brand colours as CSS variables in a <style>
 * carrying the CSP nonce (the production CSP refuses inline style attributes).
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const [branding, nonce] = await Promise.all([pageBranding(), requestNonce()]);
  return (
    <html lang="en" data-theme={branding.theme} className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <head>
        {/* Browsers hide a nonce's value from the DOM once parsed: hydration would see "". */}
        <style nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: brandStyleSheet(branding) }} />
      </head>
      <body className="min-h-dvh bg-background font-sans text-foreground antialiased">
        <a
          href="#main"
          className="sr-only rounded-md bg-card px-3 py-2 text-sm font-medium text-foreground shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50"
        >
          Skip to content
        </a>
        {/* S8: on every page while an admin acts as a user. */}
        <ImpersonationBanner />
        {children}
      </body>
    </html>
  );
}
