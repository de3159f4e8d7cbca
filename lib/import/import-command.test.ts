import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { db } from "@/lib/db";
import { exportedDigests } from "@/lib/password/testing/exported-digests";
import { makeRequest } from "@/test/http";

const OLD_PASSWORD = "ten-thousand-lanterns-3";
// The 10k-row file (each import run takes about 15 s on the 2-core test machine: docs/importing.md).
const ROWS = 10_000;
const signIn = (email: string, password: string) => signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password } }));

/** The real command, in its own process, on this file's database. */
function runImport(file: string, ...flags: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(__dirname, "../../scripts/admin.mjs"), "import", file, ...flags], {
      env: { ...process.env, NODE_ENV: "production", AUTH_URL: "http://localhost:3000" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

let dir: string | null = null;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("npm run admin -- import", () => {
  it(`imports a ${ROWS}-row file with progress and per-row errors, is idempotent on a second run, and the users sign in`, { timeout: 600_000 }, async () => {
    // The bulk rows share one cheap bcrypt digest (the import never hashes); a few rows carry each other hasher.
    const bulkDigest = bcrypt.hashSync(OLD_PASSWORD, 4);
    const special = Object.entries(await exportedDigests(OLD_PASSWORD));
    const lines: string[] = [];
    const bad = new Set<number>();
    for (let i = 0; i < ROWS; i++) {
      const digest = i < special.length ? special[i]![1] : { hasher: "bcrypt", digest: bulkDigest };
      const row: Record<string, unknown> = {
        external_id: `bulk-${i}`,
        email_addresses: [{ email_address: `bulk-${i}@import.example.com`, verified: true }],
        first_name: "Bulk",
        last_name: String(i),
        password_digest: digest.digest,
        password_hasher: digest.hasher,
      };
      if (i % 200 === 199) {
        row.email_addresses = [{ email_address: `not-an-address-${i}` }];
        bad.add(i + 1);
      }
      lines.push(JSON.stringify(row));
    }
    dir = await mkdtemp(path.join(os.tmpdir(), "portal-import-"));
    const file = path.join(dir, "users.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);

    const first = await runImport(file);
    expect(first.status, first.stderr).toBe(1); // some rows failed
    expect(first.stdout).toMatch(new RegExp(`^${ROWS / 2}/${ROWS} \\(50%\\): `, "m"));
    expect(first.stdout).toContain(`${ROWS} rows: ${ROWS - bad.size} created, 0 updated, 0 unchanged, ${bad.size} failed.`);
    for (const row of bad) expect(first.stdout).toContain(`row ${row} [bulk-${row - 1}]: email_addresses.0.email_address: Enter a valid email address.`);

    const second = await runImport(file);
    expect(second.status, second.stderr).toBe(1);
    expect(second.stdout).toContain(`${ROWS} rows: 0 created, 0 updated, ${ROWS - bad.size} unchanged, ${bad.size} failed.`);
    expect(await db.user.count({ where: { externalId: { startsWith: "bulk-" } } })).toBe(ROWS - bad.size);
    expect(await db.emailAddress.count({ where: { emailNormalized: { endsWith: "@import.example.com" } } })).toBe(ROWS - bad.size);

    // One user of every hasher, and a bulk one, sign in through the real route.
    for (const i of [...special.keys(), ROWS / 2]) {
      const response = await signIn(`bulk-${i}@import.example.com`, OLD_PASSWORD);
      expect(response.status, `row ${i + 1}: ${await response.clone().text()}`).toBe(200);
    }
  });

  it("a dry run writes nothing, and a bad --format is a usage error", { timeout: 120_000 }, async () => {
    dir ??= await mkdtemp(path.join(os.tmpdir(), "portal-import-"));
    const file = path.join(dir, "dry.csv");
    await writeFile(file, "id,primary_email_address,verified_email_addresses\ndry-1,dry-1@import.example.com,dry-1@import.example.com\n");
    const dry = await runImport(file, "--format", "clerk", "--dry-run");
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Dry run (nothing was written): 1 rows: 1 created, 0 updated, 0 unchanged, 0 failed.");
    expect(await db.user.count({ where: { externalId: "dry-1" } })).toBe(0);
    const usage = await runImport(file, "--format", "okta");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("import <file> [--format portal|clerk|auth0] [--dry-run]");
  });
});
