import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
// Geist, bundled from npm through next/font/local: no network at build or run time.
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import { INSTANCE_NAME } from "./_components/instance";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: INSTANCE_NAME, template: `%s · ${INSTANCE_NAME}` },
  description: `Sign in to ${INSTANCE_NAME}.`,
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f6f7" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="min-h-dvh bg-background font-sans text-foreground antialiased">
        <a
          href="#main"
          className="sr-only rounded-md bg-card px-3 py-2 text-sm font-medium text-foreground shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50"
        >
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
