import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * middleware.ts runs on the Edge runtime: its import graph must never reach
 * Prisma, the DB module, `node:` builtins, bcrypt or server-only code. This
 * walks the real graph from source, following our own modules.
 */
const root = path.resolve(__dirname, "../..");
const NODE_BUILTINS = new Set(["fs", "path", "crypto", "os", "child_process", "worker_threads", "net", "tls", "http", "https", "stream", "zlib", "util", "buffer", "events", "url", "dns"]);
const FORBIDDEN_PACKAGES = [/^@prisma\//, /^prisma$/, /^pg$/, /^bcryptjs$/, /^server-only$/, /^node:/, /^ioredis$/, /^nodemailer$/];

function resolveLocal(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? path.join(root, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function importGraph(entry: string): { files: string[]; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith(".") || specifier.startsWith("@/")) {
        const resolved = resolveLocal(file, specifier);
        if (!resolved) throw new Error(`Cannot resolve ${specifier} from ${file}`);
        queue.push(resolved);
      } else {
        packages.set(specifier, path.relative(root, file));
      }
    }
  }
  return { files: [...files].map((file) => path.relative(root, file)), packages };
}

describe("middleware import graph", () => {
  const graph = importGraph(path.join(root, "middleware.ts"));

  it("stays inside middleware.ts and lib/edge", () => {
    const outside = graph.files.filter((file) => file !== "middleware.ts" && !file.startsWith(`lib${path.sep}edge${path.sep}`));
    expect(outside).toEqual([]);
  });

  it("reaches no Prisma, database, node: builtin, bcrypt or server-only module", () => {
    const offending = [...graph.packages.entries()].filter(
      ([name]) => FORBIDDEN_PACKAGES.some((pattern) => pattern.test(name)) || NODE_BUILTINS.has(name),
    );
    expect(offending).toEqual([]);
    expect([...graph.packages.keys()].sort()).toEqual(["jose", "next/server"]);
  });

  it("would catch a violation (the walker sees through lib/edge re-exports)", () => {
    const files = importGraph(path.join(root, "lib/session/keys.ts"));
    expect([...files.packages.keys()]).toContain("server-only");
    expect(files.files.some((file) => file.includes("db.ts"))).toBe(true);
  });
});
