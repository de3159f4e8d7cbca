import "server-only";
import { createRequire } from "node:module";

/**
 * Disposable email domains (S10), from the maintained `disposable-email-domains`
 * package: updated with the dependency, never copied here. About 120k names:
 * loaded on the first check only, and only while the setting is on.
 */
let domains: { exact: Set<string>; wildcard: string[] } | undefined;

function lists() {
  if (!domains) {
    const require = createRequire(import.meta.url);
    domains = {
      exact: new Set<string>(require("disposable-email-domains") as string[]),
      // Domains whose every subdomain is disposable too.
      wildcard: require("disposable-email-domains/wildcard.json") as string[],
    };
  }
  return domains;
}

/** Whether the address's domain (or a parent of it) is a known disposable-mail service. */
export function isDisposableEmail(emailNormalized: string): boolean {
  const domain = emailNormalized.slice(emailNormalized.lastIndexOf("@") + 1);
  if (!domain) return false;
  const { exact, wildcard } = lists();
  if (exact.has(domain)) return true;
  const labels = domain.split(".");
  for (let i = 1; i < labels.length - 1; i++) {
    const parent = labels.slice(i).join(".");
    if (exact.has(parent) || wildcard.includes(parent)) return true;
  }
  return wildcard.includes(domain);
}
