import "server-only";
import { AppError } from "@/lib/errors";
import { getConfig } from "@/lib/config";
import { safeEqual } from "@/lib/crypto";

/** With CRON_SECRET set, the cron route needs `Authorization: Bearer <CRON_SECRET>` (Vercel Cron's format). */
export function authorizeCron(authorization: string | null): void {
  const secret = getConfig().CRON_SECRET;
  if (!secret) return;
  const presented = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!safeEqual(presented, secret)) throw new AppError("unauthenticated", "A valid cron secret is required.");
}
