import { formatBackupCode } from "../backup-code";

/**
 * The backup codes as the user saves them (S6): copied to the clipboard, or
 * downloaded as a .txt file that says what they are for, so a file found
 * months later still makes sense.
 */

/** One code per line, as shown: for the clipboard. */
export function backupCodesForClipboard(codes: readonly string[]): string {
  return codes.map(formatBackupCode).join("\n");
}

/** The .txt file: where the codes work, for which account, when they were made, and how to use them. */
export function backupCodesFile(input: {
  codes: readonly string[];
  instanceName: string;
  account: string;
  createdAt: Date;
}): string {
  const date = input.createdAt.toISOString().slice(0, 10);
  const width = String(input.codes.length).length;
  return [
    `${input.instanceName}: backup codes`,
    `Account: ${input.account}`,
    `Created: ${date}`,
    "",
    "Use one of these codes to sign in when you cannot use your authenticator app or phone.",
    "Each code works once. Generating new codes makes all of these stop working.",
    "Keep this file somewhere safe, such as a password manager.",
    "",
    ...input.codes.map((code, index) => `${String(index + 1).padStart(width, " ")}. ${formatBackupCode(code)}`),
    "",
  ].join("\n");
}

/** "auth-portal-backup-codes.txt": the instance name, lower case, letters and digits only. */
export function backupCodesFileName(instanceName: string): string {
  const slug = instanceName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // the accents NFKD split off: "é" -> "e"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "account"}-backup-codes.txt`;
}
