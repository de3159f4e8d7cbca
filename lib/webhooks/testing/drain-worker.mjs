#!/usr/bin/env node
// Test helper: a separate OS process draining the queue, as a second server
// would (its own Prisma client and pool). Loads the TypeScript domain code with
// jiti, as scripts/admin.mjs does. Prints "ready" once loaded, waits for a line
// on stdin (so two workers start racing at the same moment), drains the rows
// named in DRAIN_IDS (JSON array) until none is due, prints the summed result as
// JSON and exits.
//   DRAIN_IDS='["out_..."]' node lib/webhooks/testing/drain-worker.mjs [limit]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createJiti } from "jiti";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const jiti = createJiti(import.meta.url, {
  alias: { "@": ROOT, "server-only": path.join(ROOT, "scripts", "lib", "empty-module.mjs") },
  jsx: { runtime: "automatic" },
});

const ids = JSON.parse(process.env.DRAIN_IDS ?? "[]");
const limit = Number(process.argv[2] ?? 5);

const { drainAll } = await jiti.import(path.join(ROOT, "lib", "background", "drain.ts"));
const total = { claimed: 0, sent: 0, retried: 0, failed: 0 };
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
for (;;) {
  const result = await drainAll({ ids, limit });
  for (const key of Object.keys(total)) total[key] += result[key];
  if (result.claimed === 0) break;
}
process.stdout.write(`${JSON.stringify(total)}\n`);
const { getDb } = await jiti.import(path.join(ROOT, "lib", "db.ts"));
await getDb().$disconnect();
process.exit(0);
