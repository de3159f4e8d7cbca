import { assertBenchRoutesEnabled } from "@/lib/bench";
import { BenchContent } from "../_components/BenchContent";

// Rendered per request so AUTH_BENCH_ROUTES is read at run time (404 when unset).
export const dynamic = "force-dynamic";

/** Public twin of /bench/protected (listed in lib/edge/routes.ts): middleware lets it through unverified. */
export default function BenchPublicPage() {
  assertBenchRoutesEnabled();
  return <BenchContent />;
}
