import { assertBenchRoutesEnabled } from "@/lib/bench";

export const dynamic = "force-dynamic";

/** Renders nothing: its first-load JavaScript is the framework's own floor for the page-weight budget. */
export default function BenchEmptyPage() {
  assertBenchRoutesEnabled();
  return null;
}
