import { assertBenchRoutesEnabled } from "@/lib/bench";
import { BenchContent } from "../_components/BenchContent";

export const dynamic = "force-dynamic";

/**
 * Same content as /bench/public, but not on the public list: middleware must
 * verify the session token before the page renders (S2).
 */
export default function BenchProtectedPage() {
  assertBenchRoutesEnabled();
  return <BenchContent />;
}
