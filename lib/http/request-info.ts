import type { NextRequest } from "next/server";

/** Best-effort client IP: the first hop of X-Forwarded-For (set by Vercel and most proxies). */
export function clientIp(request: NextRequest): string | null {
  const forwarded = request.headers.get("x-forwarded-for");
  if (forwarded) return forwarded.split(",")[0]!.trim() || null;
  return request.headers.get("x-real-ip");
}
