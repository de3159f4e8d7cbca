import { execFileSync } from "node:child_process";
import v8 from "node:v8";
import { describe, expect, it } from "vitest";
import { SERVER_HEAP_LIMIT_MB, serverNodeFlags } from "./server-flags.mjs";

const heapLimitMbWith = (flags: string[]) =>
  Number(
    execFileSync(process.execPath, [...flags, "-e", "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20))"], {
      env: { ...process.env, NODE_OPTIONS: "" },
      encoding: "utf8",
    }),
  );

describe("serverNodeFlags", () => {
  const defaultLimitMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20;

  it("caps the server's heap at 1 GB where Node's default is larger, and V8 takes it", () => {
    const flags = serverNodeFlags({});
    if (defaultLimitMb <= SERVER_HEAP_LIMIT_MB) {
      expect(flags).toEqual([]);
      return;
    }
    expect(flags).toEqual([`--max-old-space-size=${SERVER_HEAP_LIMIT_MB}`]);
    // heap_size_limit is the old generation plus the young one (a few tens of MB).
    const limit = heapLimitMbWith(flags);
    expect(limit).toBeGreaterThanOrEqual(SERVER_HEAP_LIMIT_MB);
    expect(limit).toBeLessThan(SERVER_HEAP_LIMIT_MB + 128);
  });

  it.each(["--max-old-space-size=2048", "--max_old_space_size=512", "--enable-source-maps --max-old-space-size=3000"])(
    "leaves the limit to NODE_OPTIONS=%s",
    (nodeOptions) => {
      expect(serverNodeFlags({ NODE_OPTIONS: nodeOptions })).toEqual([]);
    },
  );

  it("adds the cap when NODE_OPTIONS sets other things only", () => {
    expect(serverNodeFlags({ NODE_OPTIONS: "--enable-source-maps" })).toEqual(serverNodeFlags({}));
  });
});
