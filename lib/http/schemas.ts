import { z } from "zod";

/** Field schemas shared by auth route handlers. */
export const emailField = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "Email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address." }));

/** Length is only capped here; the password policy (lib/password) explains its rules itself. */
export const passwordField = z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024, "Password is too long.");

export const redirectUrlField = z.string().max(2048).optional();

export const nameField = z.string().trim().max(100, "Use at most 100 characters.").optional();
