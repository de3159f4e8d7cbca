import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * S8: the audit log is append-only. No application code (lib/, app/; tests and
 * the generated client aside) may change or remove an AuditEvent row, through
 * Prisma or raw SQL; recordAuditEvent's `create` is the only write.
 */
const root = path.resolve(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|js|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith(path.join("lib", "generated")));
}

const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: "Prisma update/upsert/delete of auditEvent", pattern: /auditEvent\s*\.\s*(update|updateMany|upsert|delete|deleteMany)\b/ },
  { what: "raw SQL changing AuditEvent", pattern: /\b(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?|ALTER\s+TABLE|DROP\s+TABLE)\s+(ONLY\s+)?("?public"?\.)?"?AuditEvent"?/i },
];

function offences(files: string[], read: (file: string) => string): string[] {
  return files.flatMap((file) =>
    read(file)
      .split("\n")
      .flatMap((line, index) => FORBIDDEN.filter((rule) => rule.pattern.test(line)).map((rule) => `${file}:${index + 1}: ${rule.what}: ${line.trim()}`)),
  );
}

describe("the audit log is append-only (S8)", () => {
  it("no code in lib/ or app/ updates or deletes audit events", () => {
    const files = [...sourceFiles("lib"), ...sourceFiles("app")];
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(path.join("lib", "audit", "index.ts"));
    expect(offences(files, (file) => fs.readFileSync(path.join(root, file), "utf8"))).toEqual([]);
  });

  it("the check finds each kind of offence", () => {
    const samples: Record<string, string> = {
      "a.ts": "await db.auditEvent.deleteMany({ where: {} });",
      "b.ts": "await tx.auditEvent .update({ where: { id } , data });",
      "c.ts": "await db.auditEvent.upsert({})",
      "d.ts": 'await db.$executeRaw`DELETE FROM "AuditEvent" WHERE id = ${id}`;',
      "e.ts": "await db.$executeRawUnsafe('update auditevent set data = 1');",
      "f.ts": 'await db.$executeRaw`TRUNCATE "AuditEvent"`;',
      "ok.ts": "await tx.auditEvent.create({ data }); await db.auditEvent.findMany({});",
    };
    const found = offences(Object.keys(samples), (file) => samples[file]!);
    expect(found.map((line) => line.split(":")[0])).toEqual(["a.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts"]);
  });
});
