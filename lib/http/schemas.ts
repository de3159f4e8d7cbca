import { z } from "zod";

/**
 * Field schemas shared by route handlers. Every free-text field goes through
 * `safeText`: PostgreSQL refuses NUL in text (a 500 if it got that far), and
 * no id, token, name or code legitimately holds a control character.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function safeText(options: { max: number; min?: number; label?: string }) {
  const label = options.label ?? "This field";
  return z
    .string({ error: `${label} must be text.` })
    .max(options.max, `${label} is too long.`)
    .min(options.min ?? 0, `${label} is required.`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), `${label} must not contain control characters.`);
}

/** An id handed out by us (attempt, reset): prefix_KSUID; anything else cannot exist. */
export const idField = (label = "Id") =>
  safeText({ max: 64, min: 1, label }).pipe(z.string().regex(/^[a-z]+_[0-9A-Za-z]{1,40}$/, `${label} is not valid.`));

/** An opaque token handed out by us (link tokens: base64url). */
export const tokenField = safeText({ max: 128, min: 1, label: "Token" }).pipe(
  z.string().regex(/^[\w-]+$/, "Token is not valid."),
);

export const codeField = z
  .string({ error: "Enter the 6-digit code." })
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from the email.");
export const emailField = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "Email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address." }));

/** Length is only capped here; the password policy (lib/password) explains its rules itself. */
export const passwordField = z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024, "Password is too long.");

export const redirectUrlField = safeText({ max: 2048, label: "redirect_url" }).optional();

export const nameField = safeText({ max: 100, label: "Name" })
  .transform((value) => value.trim())
  .optional();

/**
 * Bot protection (S10), on sign-up, sign-in, code-send and reset forms: the
 * widget's answer (an ALTCHA payload or a Turnstile token) and the honeypot
 * input people never see. Both optional: when they are needed is the domain's call.
 */
export const humanProofFields = {
  botSolution: safeText({ max: 8192, label: "Bot check" }).optional(),
  honeypot: z.string().max(1024).optional(),
};

/** A phone number as typed (issue 19): only capped here; lib/sms normalizes it to E.164 and says what is wrong. */
export const phoneField = safeText({ max: 32, label: "Phone number" }).pipe(z.string().trim().min(1, "Enter your phone number."));

/** A username typed to sign in (issue 19): capped only; an unknown one is "incorrect" like a wrong password. */
export const signInUsernameField = safeText({ max: 64, label: "Username" }).pipe(z.string().trim().min(1, "Enter your username."));

/** The 6-digit code of a text message (issue 19). */
export const smsCodeField = z
  .string({ error: "Enter the 6-digit code." })
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from the text message.");
