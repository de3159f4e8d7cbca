import "server-only";
import { UAParser } from "ua-parser-js";
import type { RequestedFrom } from "@/lib/email";

/** "Chrome on macOS", from a User-Agent header; "an unknown browser" when it says nothing useful. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return "an unknown browser";
  const { browser, os } = UAParser(userAgent);
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  return browser.name ?? os.name ?? "an unknown browser";
}

/** Where and when an attempt was started, as the email and the other device's confirm page show it (S4). */
export function requestedFrom(attempt: { userAgent: string | null; ip: string | null; createdAt: Date }): RequestedFrom {
  const at = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(attempt.createdAt);
  return { device: describeDevice(attempt.userAgent), ip: attempt.ip, at: `${at} UTC` };
}
