import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";

/**
 * Admin-editable instance settings (S8), stored as one JSON row. Defaults live
 * here, in one place; the admin console (later) edits the stored overrides.
 */
const settingsSchema = z.object({
  multiSession: z.boolean().default(false),
  sessionMaxAgeDays: z.number().int().min(1).max(365).optional(),
  /** Minutes of inactivity after which a session ends; null = off (S2 default). */
  inactivityTimeoutMinutes: z.number().int().min(5).nullable().default(null),
  passwordMinScore: z.number().int().min(0).max(4).default(2),
  /** S4: sign-up waits for an emailed code or link before the account exists. */
  emailVerificationAtSignUp: z.boolean().default(true),
  /**
   * S4: a magic link opened on another device signs in THERE instead of showing
   * "return to your original device" (which then completes on the original tab).
   */
  emailLinkSignsInOnOtherDevice: z.boolean().default(false),
  /** Branding (S8, S11): used in emails; the pages read the CSS variables. */
  brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).default("#4f46e5"),
});

export type InstanceSettings = Omit<z.infer<typeof settingsSchema>, "sessionMaxAgeDays"> & { sessionMaxAgeDays: number };

const CACHE_MS = 5_000;
let cached: { value: InstanceSettings; loadedAt: number } | undefined;

export async function getInstanceSettings(): Promise<InstanceSettings> {
  if (cached && Date.now() - cached.loadedAt < CACHE_MS) return cached.value;
  const row = await db.instanceSettings.findUnique({ where: { id: "default" } });
  const parsed = settingsSchema.safeParse(row?.data ?? {});
  const stored = parsed.success ? parsed.data : settingsSchema.parse({});
  const value = { ...stored, sessionMaxAgeDays: stored.sessionMaxAgeDays ?? getConfig().AUTH_SESSION_MAX_AGE_DAYS };
  cached = { value, loadedAt: Date.now() };
  return value;
}

export async function updateInstanceSettings(patch: Partial<z.input<typeof settingsSchema>>): Promise<InstanceSettings> {
  const row = await db.instanceSettings.findUnique({ where: { id: "default" } });
  const next = settingsSchema.parse({ ...((row?.data as object) ?? {}), ...patch });
  await db.instanceSettings.upsert({
    where: { id: "default" },
    create: { id: "default", data: next as object },
    update: { data: next as object },
  });
  cached = undefined;
  return getInstanceSettings();
}
