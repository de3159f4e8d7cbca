import "server-only";
import { z } from "zod";
import { idField, safeText } from "@/lib/http/schemas";
import { PRESET_IDS } from "./presets";

/** Lifetime bounds (S9): 30 s to 24 h. */
export const MIN_LIFETIME_SECONDS = 30;
export const MAX_LIFETIME_SECONDS = 24 * 60 * 60;
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** Names go into URLs and `getToken({ template })`: letters, digits, dash, underscore, dot. */
export const templateNameField = safeText({ max: 64, min: 1, label: "Name" }).pipe(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Use letters, digits, dashes, underscores and dots, starting with a letter or digit."),
);

// Claims JSON and PEM keys span lines: plain strings capped in size (safeText refuses newlines); NUL is refused.
const multiline = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text.` })
    .max(max, `${label} is too long.`)
    .refine((value) => !value.includes("\u0000"), `${label} must not contain NUL characters.`);

const signingInput = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("instance") }),
    z.strictObject({ kind: z.literal("hs256"), secret: multiline("The secret", 1024).optional() }),
    z.strictObject({
      kind: z.literal("rs256"),
      privateKey: multiline("The private key", 8192).optional(),
      keyId: safeText({ max: 200, label: "Key id" }).nullable().optional(),
    }),
    z.strictObject({ kind: z.literal("firebase"), serviceAccount: multiline("The service account JSON", 8192).optional() }),
  ],
  { error: "Choose how tokens are signed: instance, hs256, rs256 or firebase." },
);

/** A template as the admin saves it (create, or a full update). */
export const jwtTemplateInput = z.strictObject({
  name: templateNameField,
  lifetimeSeconds: z
    .number({ error: "Lifetime must be a number of seconds." })
    .int("Lifetime must be whole seconds.")
    .min(MIN_LIFETIME_SECONDS, "Lifetime must be between 30 seconds and 24 hours.")
    .max(MAX_LIFETIME_SECONDS, "Lifetime must be between 30 seconds and 24 hours.")
    .default(60),
  clockSkewSeconds: z
    .number({ error: "Clock skew must be a number of seconds." })
    .int("Clock skew must be whole seconds.")
    .min(0, "Clock skew must be between 0 and 60 seconds.")
    .max(MAX_CLOCK_SKEW_SECONDS, "Clock skew must be between 0 and 60 seconds.")
    .default(5),
  /** The claims JSON as typed: parsed on the server so errors can say where. */
  claims: multiline("Claims", 64 * 1024).default("{}"),
  signing: signingInput.default({ kind: "instance" }),
  preset: z.enum(PRESET_IDS as [string, ...string[]]).nullable().optional(),
});
export type JwtTemplateInput = z.input<typeof jwtTemplateInput>;
export type ParsedJwtTemplateInput = z.output<typeof jwtTemplateInput>;

/** The live preview: claims as typed, rendered for one user without saving. */
export const jwtTemplatePreviewInput = z.strictObject({
  claims: multiline("Claims", 64 * 1024),
  userId: idField("User id"),
  signing: z.enum(["instance", "hs256", "rs256", "firebase"]).default("instance"),
  lifetimeSeconds: z.number().int().min(MIN_LIFETIME_SECONDS).max(MAX_LIFETIME_SECONDS).default(60),
  clockSkewSeconds: z.number().int().min(0).max(MAX_CLOCK_SKEW_SECONDS).default(5),
});
export type JwtTemplatePreviewInput = z.input<typeof jwtTemplatePreviewInput>;
