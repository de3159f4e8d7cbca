import "server-only";
import { db } from "@/lib/db";
import { readAtMost } from "@/lib/http/read-capped";
import { avatarUrl, processAvatarImage, AVATAR_MAX_BYTES } from "./avatar";

/**
 * Imports the provider's picture as the user's avatar (S5: "provider picture
 * imported when the user has none"). Copied, not linked: our CSP serves
 * images from our own origin only, and the provider never learns who views
 * the page. The picture goes through the same checks and re-encoding as an
 * upload. Best effort: a slow, huge or odd picture is skipped, never an
 * error for the sign-in.
 */
const FETCH_TIMEOUT_MS = 4_000;

export async function importProviderPicture(
  userId: string,
  url: string | null | undefined,
  /** Which URLs may be fetched; tests widen it to a picture server on this machine. */
  fetchable: (url: string) => boolean = isFetchablePictureUrl,
): Promise<boolean> {
  if (!url || !fetchable(url)) return false;
  const user = await db.user.findUnique({ where: { id: userId }, select: { imageUrl: true, avatar: { select: { userId: true } } } });
  if (!user || user.imageUrl || user.avatar) return false;
  try {
    const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "image/*" } });
    if (!response.ok || !response.body) return false;
    const bytes = await readAtMost(response.body, AVATAR_MAX_BYTES);
    if (!bytes) return false;
    const image = await processAvatarImage(bytes);
    const row = { data: image.data, contentType: image.contentType, etag: image.etag, width: image.width, height: image.height };
    await db.$transaction(async (tx) => {
      // Only if the user still has no picture (an upload may have landed meanwhile).
      const { count } = await tx.user.updateMany({ where: { id: userId, imageUrl: null }, data: { imageUrl: avatarUrl(userId, image.etag) } });
      if (count === 1) await tx.avatar.upsert({ where: { userId }, create: { userId, ...row }, update: row });
    });
    return true;
  } catch (error) {
    console.warn(`[oauth] provider picture not imported: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/**
 * https only, and never this machine or a private network by name or IP
 * literal: the URL comes from the provider's answer, which a user of a
 * generic OIDC provider may control. (A public name that resolves to a
 * private address is not caught here; the fetch is GET-only, size- and
 * time-capped, and its body must decode as an image.)
 */
export function isFetchablePictureUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return false;
  if (host.startsWith("[")) return false; // IPv6 literals
  if (/^\d+(\.\d+){3}$/.test(host) || /^\d+$/.test(host) || /^0x/i.test(host)) return false; // IPv4 literals in any form
  return true;
}
