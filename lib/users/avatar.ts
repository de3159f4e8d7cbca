import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { emitUserUpdated } from "@/lib/webhooks/events";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { contentEtag, reencodeImageUpload, type ImageUploadRules, type ReencodedImage } from "@/lib/images";
import { getAccountProfile, type AccountProfile, type ChangeContext } from "./profile";

// Sniffing lives in lib/images now; re-exported for the callers that knew it here.
export { sniffImageType } from "@/lib/images";

/**
 * Profile pictures (S7). An upload is sniffed from its bytes (never the file
 * name or Content-Type), decoded by sharp under a pixel limit (a tiny file
 * claiming 20000x20000 is refused from its header, before any pixel is
 * decoded), cropped to a square of at most 512 px and re-encoded as WebP with
 * no metadata (EXIF, GPS, ICC), stored in the Avatar table and served from
 * /avatars/<userId>. Without an upload that route draws the generated default.
 */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
/** Decoded size limit (sharp's limitInputPixels): about 6000x6000, far above any avatar, far below a bomb. */
export const AVATAR_MAX_INPUT_PIXELS = 36_000_000;
export const AVATAR_SIZE = 512;
/** The form field an upload comes in, and the one its errors name. */
export const AVATAR_FIELD = "file";

export const AVATAR_MESSAGES = {
  tooLarge: "The image must be 2 MB or smaller.",
  wrongType: "Upload a PNG, JPEG or WebP image.",
  svg: "SVG images are not accepted. Upload a PNG, JPEG or WebP image.",
  tooManyPixels: "The image's dimensions are too large (at most 6000 by 6000 pixels).",
  unreadable: "The image could not be read. It may be damaged; try another file.",
  empty: "Choose an image to upload.",
} as const;

/** The checks and re-encoding of an avatar upload: a square WebP of at most 512 px. */
const AVATAR_UPLOAD: ImageUploadRules = {
  field: AVATAR_FIELD,
  maxBytes: AVATAR_MAX_BYTES,
  maxInputPixels: AVATAR_MAX_INPUT_PIXELS,
  messages: AVATAR_MESSAGES,
  encode: (image, { width, height }) => {
    const side = Math.max(1, Math.min(width, height, AVATAR_SIZE));
    return image.resize(side, side, { fit: "cover", position: "centre" }).webp({ quality: 85 });
  },
};

export type ProcessedAvatar = ReencodedImage;

/** Checks and re-encodes an upload (no database): the bytes the avatar route will serve. */
export function processAvatarImage(bytes: Uint8Array): Promise<ProcessedAvatar> {
  return reencodeImageUpload(bytes, AVATAR_UPLOAD);
}

/** Where an uploaded avatar is served: the version in the URL makes it cacheable for good. */
export function avatarUrl(userId: string, etag: string): string {
  return `/avatars/${encodeURIComponent(userId)}?v=${etag}`;
}

/**
 * Replaces the user's picture with an upload (S7): the re-encoded image, and
 * `imageUrl` pointing at it (a provider's picture there is replaced), with the
 * `user.updated` audit event, in one transaction. Nothing changes when the
 * upload is refused.
 */
export async function setAvatar(userId: string, bytes: Uint8Array, context: ChangeContext): Promise<AccountProfile> {
  await enforceRateLimit(RATE_LIMIT_RULES.avatarUploadPerUser, userId, undefined, "Too many picture uploads. Try again later.");
  const image = await processAvatarImage(bytes);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw new AppError("not_found", "This account no longer exists.");
    const row = { data: image.data, contentType: image.contentType, etag: image.etag, width: image.width, height: image.height };
    await tx.avatar.upsert({ where: { userId }, create: { userId, ...row }, update: row });
    await tx.user.update({ where: { id: userId }, data: { imageUrl: avatarUrl(userId, image.etag) } });
    await recordAuditEvent(
      {
        type: "user.updated",
        actorId: context.actorId,
        targetId: userId,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { fields: ["imageUrl"], avatar: "uploaded", width: image.width, height: image.height, bytes: image.data.byteLength },
      },
      tx,
    );
    await emitUserUpdated(tx, userId);
    return (await getAccountProfile(userId, tx))!;
  });
}

/**
 * Removes the user's picture (S7): the upload, if any, and `imageUrl` (a
 * provider's picture too), so the generated initials show. Audited when
 * something changed.
 */
export async function removeAvatar(userId: string, context: ChangeContext): Promise<AccountProfile> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { imageUrl: true } });
    if (!user) throw new AppError("not_found", "This account no longer exists.");
    const { count } = await tx.avatar.deleteMany({ where: { userId } });
    if (count > 0 || user.imageUrl !== null) {
      await tx.user.update({ where: { id: userId }, data: { imageUrl: null } });
      await recordAuditEvent(
        {
          type: "user.updated",
          actorId: context.actorId,
          targetId: userId,
          ip: context.ip,
          userAgent: context.userAgent,
          data: { fields: ["imageUrl"], avatar: "removed" },
        },
        tx,
      );
      await emitUserUpdated(tx, userId);
    }
    return (await getAccountProfile(userId, tx))!;
  });
}

// ---------------------------------------------------------------------------
// Serving (app/avatars/[userId]/route.ts)

export type ServedAvatar = { body: Uint8Array; contentType: string; etag: string; uploaded: boolean };

/** Same palette and hash as app/_components/Avatar.tsx, so the SVG matches the in-app avatar. */
const GRADIENT_COLOURS: readonly (readonly [string, string])[] = [
  ["#4f46e5", "#6d28d9"], // indigo-600 -> violet-700
  ["#2563eb", "#4338ca"], // blue-600 -> indigo-700
  ["#047857", "#115e59"], // emerald-700 -> teal-800
  ["#e11d48", "#be185d"], // rose-600 -> pink-700
  ["#b45309", "#9a3412"], // amber-700 -> orange-800
  ["#0e7490", "#075985"], // cyan-700 -> sky-800
  ["#a21caf", "#6b21a8"], // fuchsia-700 -> purple-800
  ["#475569", "#1e293b"], // slate-600 -> slate-800
];

/** FNV-1a, as in Avatar.tsx. */
function hash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function firstCharacter(value: string | null | undefined): string {
  return Array.from(value?.trim() ?? "")[0] ?? "";
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The generated default (S7): initials on a gradient chosen from the user id,
 * as an SVG with no script, no external reference and no style element.
 * Initials come from the names (or the username); the email is never used
 * (the route is public). No initials: a person outline.
 */
export function generatedAvatarSvg(user: { id: string; firstName?: string | null; lastName?: string | null; username?: string | null }): string {
  const [from, to] = GRADIENT_COLOURS[hash(user.id) % GRADIENT_COLOURS.length]!;
  // Letters and digits only: a name starting with punctuation or an emoji draws the outline instead.
  const initial = (value: string | null | undefined) => {
    const char = firstCharacter(value);
    return /^[\p{L}\p{N}]$/u.test(char) ? char : "";
  };
  const initials = (`${initial(user.firstName)}${initial(user.lastName)}` || initial(user.username)).toUpperCase();
  const content = initials
    ? `<text x="64" y="64" dy="0.35em" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" font-size="${initials.length > 1 ? 50 : 56}" font-weight="600" fill="#ffffff">${escapeXml(initials)}</text>`
    : `<g fill="#ffffff" fill-opacity="0.9"><circle cx="64" cy="50" r="22"/><path d="M24 112c4-22 20-34 40-34s36 12 40 34z"/></g>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">`,
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>`,
    `<rect width="128" height="128" fill="url(#g)"/>`,
    content,
    `</svg>`,
  ].join("");
}

const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What /avatars/<userId> serves: the upload, else the generated SVG. An
 * unknown id gets a generated outline too (no "does this user exist" answer);
 * an id that cannot be one of ours is a 404.
 */
export async function getServedAvatar(userId: string): Promise<ServedAvatar> {
  if (!USER_ID_PATTERN.test(userId)) throw new AppError("not_found", "No such avatar.");
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, firstName: true, lastName: true, username: true, avatar: { select: { data: true, contentType: true, etag: true } } },
  });
  if (user?.avatar) return { body: user.avatar.data, contentType: user.avatar.contentType, etag: user.avatar.etag, uploaded: true };
  const svg = Buffer.from(generatedAvatarSvg(user ?? { id: userId }), "utf8");
  return { body: svg, contentType: "image/svg+xml", etag: `g-${contentEtag(svg)}`, uploaded: false };
}
