import "server-only";
import { AppError } from "@/lib/errors";
import { getConfig } from "@/lib/config";
import { safeEqual } from "@/lib/crypto";

/**
 * The cron route needs `Authorization: Bearer <CRON_SECRET>` (Vercel Cron's format). Without
 * CRON_SECRET it is open in development only; production refuses everyone until one is set.
 */
export function authorizeCron(authorization: string | null): void {
  const { CRON_SECRET: secret, NODE_ENV } = getConfig();
  if (!secret) {
    if (NODE_ENV !== "production") return;
    throw new AppError("unauthenticated", "A valid cron secret is required.");
  }
  const presented = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!safeEqual(presented, secret)) throw new AppError("unauthenticated", "A valid cron secret is required.");
}
