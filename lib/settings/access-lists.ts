import { z } from "zod";

/**
 * Allowlist and blocklist entries (S8): an email address ("ada@example.com")
 * or a whole domain ("example.com", also typed "@example.com"). Stored
 * normalized (trimmed, lower-cased, no leading "@"), de-duplicated. A domain
 * matches addresses at exactly that domain, not its subdomains, so an entry
 * never covers more than the admin can see in it.
 */

export const ACCESS_LIST_MAX_ENTRIES = 1000;
const ENTRY_MAX_LENGTH = 254;

/** Labels of letters, digits and inner dashes; at least two labels; an alphabetic top-level label (punycode allowed). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** A local part without spaces, angle brackets or a second "@" (what mail systems accept in practice). */
const LOCAL_PART = /^[^\s@<>()[\]\\,;:"]{1,64}$/;

export function normalizeAccessEntry(raw: string): string {
  return raw.trim().toLowerCase().replace(/^@/, "");
}

/** Whether a normalized entry is an email address or a domain we can match. */
export function isValidAccessEntry(entry: string): boolean {
  if (entry.length === 0 || entry.length > ENTRY_MAX_LENGTH) return false;
  const at = entry.lastIndexOf("@");
  if (at === -1) return DOMAIN.test(entry);
  return LOCAL_PART.test(entry.slice(0, at)) && DOMAIN.test(entry.slice(at + 1));
}

/** The domain part of a normalized email address. */
export function emailDomain(emailNormalized: string): string {
  return emailNormalized.slice(emailNormalized.lastIndexOf("@") + 1);
}

/** Does `emailNormalized` match an entry of `list` (the address itself, or its domain)? */
export function matchesAccessList(emailNormalized: string, list: readonly string[]): boolean {
  if (list.length === 0) return false;
  return list.includes(emailNormalized) || list.includes(emailDomain(emailNormalized));
}

function quoted(entries: string[]): string {
  const shown = entries.slice(0, 5).map((entry) => `“${entry.length > 60 ? `${entry.slice(0, 57)}...` : entry}”`);
  return entries.length > 5 ? `${shown.join(", ")} and ${entries.length - 5} more` : shown.join(", ");
}

/**
 * One list: blanks dropped, entries normalized and de-duplicated; invalid
 * entries are named in ONE message for the list's field, so the form can
 * show them next to its textarea.
 */
export const accessListSchema = z
  .array(z.string({ error: "Each entry must be text." }), { error: "Send the list as an array of entries." })
  // Blank lines are allowed (dropped below); this only bounds the work on absurd input.
  .max(ACCESS_LIST_MAX_ENTRIES * 2, `Use at most ${ACCESS_LIST_MAX_ENTRIES} entries.`)
  .transform((entries) => [...new Set(entries.map(normalizeAccessEntry).filter((entry) => entry.length > 0))])
  .superRefine((entries, context) => {
    const invalid = entries.filter((entry) => !isValidAccessEntry(entry));
    if (invalid.length > 0) {
      context.addIssue({
        code: "custom",
        message: `Not an email address or a domain: ${quoted(invalid)}. Use one entry per line, like ada@example.com or example.com.`,
      });
    }
    if (entries.length > ACCESS_LIST_MAX_ENTRIES) {
      context.addIssue({ code: "custom", message: `Use at most ${ACCESS_LIST_MAX_ENTRIES} entries (this list has ${entries.length}).` });
    }
  });
