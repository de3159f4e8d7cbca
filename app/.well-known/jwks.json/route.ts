import { handler, json } from "@/lib/http";
import { getPublicJwks } from "@/lib/session";

export const dynamic = "force-dynamic";

/** Public signing keys for networkless verification by middleware and other apps (S2, S9). */
export const GET = handler({}, async () =>
  json(await getPublicJwks(), { headers: { "Cache-Control": "public, max-age=60, stale-while-revalidate=300" } }),
);
