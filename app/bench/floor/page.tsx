import { assertBenchRoutesEnabled } from "@/lib/bench";
import { BenchContent } from "../_components/BenchContent";

export const dynamic = "force-dynamic";

/**
 * Same content as /bench/public, but excluded from middleware.ts's matcher:
 * the floor the middleware's base cost is measured against (issue 18).
 */
export default function BenchFloorPage() {
  assertBenchRoutesEnabled();
  return <BenchContent />;
}
