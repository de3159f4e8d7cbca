/** Digits in an emailed verification code (sign-in, sign-up, password reset). */
export const CODE_LENGTH = 6;

const COMPLETE_CODE = new RegExp(`^\\d{${CODE_LENGTH}}$`);

export function isCompleteCode(value: string): boolean {
  return COMPLETE_CODE.test(value);
}

/**
 * Turns pasted text into the digits of a code: "123 456", "123-456",
 * "Code: 123456", "123456\n" and full-width "１２３４５６" all give "123456".
 *
 * Text with more or fewer than six digits: when it holds exactly one
 * six-digit group (digits joined by single spaces or dashes count as one
 * group), that group is the code, so "Sent 10:42, code 123 456" gives
 * "123456". Otherwise the first six digits: a code starts at the front of
 * what was copied, and a partly filled field the person can see and finish
 * beats a paste that silently does nothing.
 */
export function normalizeCode(pasted: string): string {
  // NFKC folds full-width digits (０-９) into ASCII ones.
  const text = pasted.normalize("NFKC");
  // Hyphen-minus and the Unicode hyphens up to the en dash (mail clients "prettify" dashes).
  const groups = (text.match(/\d+(?:[ \-\u2010-\u2013]\d+)*/g) ?? []).map((group) => group.replace(/\D/g, ""));
  const codes = groups.filter((digits) => digits.length === CODE_LENGTH);
  if (codes.length === 1) return codes[0];
  return groups.join("").slice(0, CODE_LENGTH);
}
