/**
 * The authenticator setup key (Base32) as people read and type it: groups of
 * four, "JBSW Y3DP EHPK 3PXP ...". Apps ignore the spaces; the copy button
 * copies the key without them.
 */
export function groupSetupKey(secret: string): string {
  const key = secret.replace(/\s+/g, "").toUpperCase();
  return key.match(/.{1,4}/g)?.join(" ") ?? "";
}

/** The key without spaces, for the clipboard. */
export function compactSetupKey(secret: string): string {
  return secret.replace(/\s+/g, "").toUpperCase();
}
