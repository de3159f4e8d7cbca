import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

// The e2e harness runs against this checkout's production build: check that
// Next compiled middleware.ts for the Edge runtime (S0, S2), not for Node.
test("middleware is built for the Edge runtime", async () => {
  const manifestPath = path.join(process.cwd(), ".next", "server", "middleware-manifest.json");
  test.skip(!fs.existsSync(manifestPath), "no production build in this checkout (run through npm run test:e2e)");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as {
    middleware: Record<string, { files: string[]; name: string }>;
  };
  const entry = manifest.middleware["/"];
  expect(entry?.name).toBe("middleware");
  expect(entry!.files.length).toBeGreaterThan(0);
  for (const file of entry!.files) expect(file).toMatch(/^server\/edge\//);
});
