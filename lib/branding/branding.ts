import "server-only";
import { assertOutsideTransaction, db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { recordAuditEvent } from "@/lib/audit";
import { reencodeImageUpload, type ImageUploadRules } from "@/lib/images";
import { getInstanceSettings } from "@/lib/settings";
import type { Theme } from "./palette";

/**
 * Branding (S8, S11): the instance name, brand colour and theme live in the
 * instance settings tree (lib/settings, edited through the settings route);
 * the logo lives in its own table (BrandLogo, one row) because it is bytes.
 * Every page (app/layout.tsx) and every email (lib/email prepareEmail) reads
 * them through getBranding().
 */

export type Branding = {
  instanceName: string;
  brandColor: string;
  theme: Theme;
  /** Same-origin path with the version (`?v=<etag>`), or null without a logo. */
  logoUrl: string | null;
  /** The stored logo's size in pixels, for width/height attributes (no layout shift). */
  logoSize: { width: number; height: number } | null;
};

export type BrandingChangeContext = { actorId: string; ip: string | null; userAgent: string | null };

export const LOGO_MAX_BYTES = 1024 * 1024;
/** Decoded size limit: far above any logo, far below a decompression bomb. */
export const LOGO_MAX_INPUT_PIXELS = 36_000_000;
/** Shown at most 48 px high; stored at up to 256 px for sharp rendering on dense screens. */
export const LOGO_MAX_HEIGHT = 256;
/** A wide wordmark may be wider than high, within reason. */
export const LOGO_MAX_WIDTH = 1024;
/** The form field an upload comes in, and the one its errors name. */
export const LOGO_FIELD = "file";
export const LOGO_PATH = "/branding/logo";

export const LOGO_MESSAGES = {
  tooLarge: "The logo must be 1 MB or smaller.",
  wrongType: "Upload the logo as a PNG, JPEG or WebP image.",
  svg: "SVG logos are not accepted (they can carry scripts). Upload a PNG, JPEG or WebP image.",
  tooManyPixels: "The image's dimensions are too large (at most 6000 by 6000 pixels).",
  unreadable: "The image could not be read. It may be damaged; try another file.",
  empty: "Choose an image to upload.",
} as const;

/**
 * Re-encoded as PNG: lossless, keeps transparency, and shown by every mail
 * client (WebP is not, in some). Never enlarged.
 */
const LOGO_UPLOAD: ImageUploadRules = {
  field: LOGO_FIELD,
  maxBytes: LOGO_MAX_BYTES,
  maxInputPixels: LOGO_MAX_INPUT_PIXELS,
  messages: LOGO_MESSAGES,
  encode: (image) =>
    image
      .resize({ width: LOGO_MAX_WIDTH, height: LOGO_MAX_HEIGHT, fit: "inside", withoutEnlargement: true })
      .png({ compressionLevel: 9, adaptiveFiltering: true }),
};

export function brandLogoUrl(etag: string): string {
  return `${LOGO_PATH}?v=${etag}`;
}

type LogoMeta = { etag: string; width: number; height: number } | null;

/** Same lifetime as the settings cache: a logo change shows everywhere within seconds. */
const DEFAULT_CACHE_MS = 5_000;
let cacheMs = DEFAULT_CACHE_MS;
let cachedLogo: { value: LogoMeta; loadedAt: number } | undefined;

async function readLogoMeta(): Promise<LogoMeta> {
  assertOutsideTransaction("a branding read");
  if (cachedLogo && Date.now() - cachedLogo.loadedAt < cacheMs) return cachedLogo.value;
  const value = await db.brandLogo.findUnique({ where: { id: "default" }, select: { etag: true, width: true, height: true } });
  cachedLogo = { value, loadedAt: Date.now() };
  return value;
}

/** Tests: 0 makes every read go to the DB (the one-connection suite catches reads inside transactions with it). */
export function setBrandingCacheTtlForTests(ms: number): void {
  cacheMs = ms;
  cachedLogo = undefined;
}

/**
 * The instance's branding, for pages and emails. Reads the (cached) settings
 * and the logo's version: call it BEFORE opening a transaction.
 */
export async function getBranding(): Promise<Branding> {
  const [settings, logo] = await Promise.all([getInstanceSettings(), readLogoMeta()]);
  return {
    instanceName: settings.instanceName,
    brandColor: settings.brandColor,
    theme: settings.theme,
    logoUrl: logo ? brandLogoUrl(logo.etag) : null,
    logoSize: logo ? { width: logo.width, height: logo.height } : null,
  };
}

/** An absolute URL for a same-origin path (emails need one), from AUTH_URL; null when the instance's URL is unknown. */
export function absoluteInstanceUrl(path: string | null): string | null {
  const base = getConfig().AUTH_URL;
  if (!path || !base) return null;
  return new URL(path, base).toString();
}

export type BrandLogo = { url: string; width: number; height: number };

/** The current logo (admin settings screen), read from the DB. */
export async function getBrandLogo(): Promise<BrandLogo | null> {
  const logo = await db.brandLogo.findUnique({ where: { id: "default" }, select: { etag: true, width: true, height: true } });
  return logo ? { url: brandLogoUrl(logo.etag), width: logo.width, height: logo.height } : null;
}

/**
 * Replaces the logo with an upload (S8): sniffed, decoded under a pixel
 * limit, re-encoded without metadata, at most 256 px high. Audited as
 * `branding.logo_updated` in the same transaction. Nothing changes when the
 * upload is refused (4xx on the `file` field).
 */
export async function saveBrandLogo(bytes: Uint8Array, context: BrandingChangeContext): Promise<BrandLogo> {
  const image = await reencodeImageUpload(bytes, LOGO_UPLOAD);
  await db.$transaction(async (tx) => {
    const row = { data: image.data, contentType: image.contentType, etag: image.etag, width: image.width, height: image.height };
    await tx.brandLogo.upsert({ where: { id: "default" }, create: { id: "default", ...row }, update: row });
    await recordAuditEvent(
      {
        type: "branding.logo_updated",
        actorId: context.actorId,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { width: image.width, height: image.height, bytes: image.data.byteLength, etag: image.etag },
      },
      tx,
    );
  });
  cachedLogo = undefined;
  return { url: brandLogoUrl(image.etag), width: image.width, height: image.height };
}

/** Removes the logo (S8): pages show the default mark again. Audited as `branding.logo_removed` when there was one. */
export async function removeBrandLogo(context: BrandingChangeContext): Promise<{ removed: boolean }> {
  const removed = await db.$transaction(async (tx) => {
    const { count } = await tx.brandLogo.deleteMany({ where: { id: "default" } });
    if (count === 0) return false;
    await recordAuditEvent(
      { type: "branding.logo_removed", actorId: context.actorId, ip: context.ip, userAgent: context.userAgent },
      tx,
    );
    return true;
  });
  cachedLogo = undefined;
  return { removed };
}

export type ServedLogo = { body: Uint8Array; contentType: string; etag: string };

/** What /branding/logo serves, or null (404) without a logo. */
export async function getServedBrandLogo(): Promise<ServedLogo | null> {
  const logo = await db.brandLogo.findUnique({ where: { id: "default" }, select: { data: true, contentType: true, etag: true } });
  return logo ? { body: logo.data, contentType: logo.contentType, etag: logo.etag } : null;
}
