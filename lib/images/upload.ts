import "server-only";
import { createHash } from "node:crypto";
import type { Sharp } from "sharp";
import { AppError } from "@/lib/errors";

/**
 * Image uploads (avatars S7, the instance logo S8): an upload is sniffed from
 * its bytes (never the file name or Content-Type), decoded by sharp under a
 * pixel limit (a tiny file claiming 20000x20000 is refused from its header,
 * before any pixel is decoded) and re-encoded, which drops every piece of
 * metadata (EXIF, GPS, ICC, text chunks) and anything that is not pixels.
 * SVG is never accepted: it is a document that can carry script.
 */

export type SniffedImageType = "png" | "jpeg" | "webp";

/** The image type from the file's first bytes (magic numbers), or null. */
export function sniffImageType(bytes: Uint8Array): SniffedImageType | null {
  const starts = (signature: readonly number[], offset = 0) => signature.every((byte, index) => bytes[offset + index] === byte);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (starts([0xff, 0xd8, 0xff])) return "jpeg";
  // "RIFF" <size> "WEBP"
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return null;
}

/** Worth its own message: people do try to upload a logo as SVG. */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString("utf8").trimStart().toLowerCase();
  return head.includes("<svg");
}

export type ImageUploadMessages = {
  tooLarge: string;
  wrongType: string;
  svg: string;
  tooManyPixels: string;
  unreadable: string;
  empty: string;
};

export type ImageUploadRules = {
  /** The form field the upload comes in; errors name it. */
  field: string;
  maxBytes: number;
  /** Decoded size limit (sharp's limitInputPixels). */
  maxInputPixels: number;
  messages: ImageUploadMessages;
  /**
   * Resizes and picks the output format. `size` is the upright size (EXIF
   * orientation applied). Whatever it does, the output carries no metadata:
   * sharp writes none unless asked to.
   */
  encode: (image: Sharp, size: { width: number; height: number }) => Sharp;
};

export type ReencodedImage = { data: Uint8Array<ArrayBuffer>; contentType: string; width: number; height: number; etag: string };

const OUTPUT_CONTENT_TYPES: Record<string, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };

function fileError(rules: ImageUploadRules, code: "payload_too_large" | "unsupported_media_type" | "validation_failed", message: string): AppError {
  return new AppError(code, message, { fields: { [rules.field]: [message] } });
}

/** A short strong validator for the bytes served (the ETag and the `?v=` of a cacheable URL). */
export function contentEtag(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("base64url").slice(0, 27);
}

/** Checks an upload and re-encodes it (no database): the bytes a route will serve. Refusals are 4xx AppErrors on `rules.field`. */
export async function reencodeImageUpload(bytes: Uint8Array, rules: ImageUploadRules): Promise<ReencodedImage> {
  const { messages } = rules;
  if (bytes.byteLength === 0) throw fileError(rules, "validation_failed", messages.empty);
  if (bytes.byteLength > rules.maxBytes) throw fileError(rules, "payload_too_large", messages.tooLarge);
  const type = sniffImageType(bytes);
  if (!type) throw fileError(rules, "unsupported_media_type", looksLikeSvg(bytes) ? messages.svg : messages.wrongType);
  // Loaded on first upload only: the modules using this are imported by every signed-in page.
  const { default: sharp } = await import("sharp");
  const options = { limitInputPixels: rules.maxInputPixels, pages: 1 } as const;
  let output: { data: Buffer; info: { format: string; width: number; height: number } };
  try {
    // The header alone: dimensions over the limit are refused here, before decoding.
    const metadata = await sharp(bytes, options).metadata();
    if (metadata.format !== type) throw fileError(rules, "unsupported_media_type", messages.wrongType);
    const size = { width: metadata.autoOrient?.width ?? metadata.width, height: metadata.autoOrient?.height ?? metadata.height };
    const pipeline = sharp(bytes, options).autoOrient(); // apply the EXIF orientation before the metadata goes
    output = await rules.encode(pipeline, size).timeout({ seconds: 20 }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : "";
    if (/pixel limit/i.test(message)) throw fileError(rules, "validation_failed", messages.tooManyPixels);
    throw fileError(rules, "validation_failed", messages.unreadable);
  }
  const { data, info } = output;
  const contentType = OUTPUT_CONTENT_TYPES[info.format];
  if (!contentType) throw new Error(`reencodeImageUpload: unexpected output format "${info.format}"`);
  return { data: new Uint8Array(data), contentType, width: info.width, height: info.height, etag: contentEtag(data) };
}
