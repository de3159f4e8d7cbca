/**
 * Backup codes (S6) as the user types them: ten letters and digits, shown as
 * "abcde-23456". Case, spaces and dashes do not matter (the server ignores
 * them too), so "ABCDE 23456" is the same code. Ships in the sign-in bundle:
 * keep it dependency-free.
 */
export const BACKUP_CODE_LENGTH = 10;

/** Lower case, without spaces or dashes (any Unicode dash a phone's keyboard or a PDF may produce). */
export function normalizeBackupCode(input: string): string {
  return input
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, "");
}

/** Ten letters or digits once normalized: worth sending to the server. */
export function looksLikeBackupCode(input: string): boolean {
  return new RegExp(`^[a-z0-9]{${BACKUP_CODE_LENGTH}}$`).test(normalizeBackupCode(input));
}

/** "abcde23456" -> "abcde-23456", the way codes are shown and saved. Anything else comes back normalized. */
export function formatBackupCode(input: string): string {
  const code = normalizeBackupCode(input);
  return code.length === BACKUP_CODE_LENGTH ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}
