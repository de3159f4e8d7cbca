import "server-only";
import { getConfig } from "@/lib/config";

/** Emails compare case-insensitively (S1): stored and looked up trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** ADMIN_EMAILS grants role=admin on sign-up and sign-in (S8). */
export function isAdminEmail(email: string): boolean {
  return getConfig().ADMIN_EMAILS.includes(normalizeEmail(email));
}
