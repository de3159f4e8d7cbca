import { describe, expect, it } from "vitest";
import { GET as auditRoute } from "@/app/api/admin/audit/route";
import { GET as exportRoute } from "@/app/api/admin/audit/export/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { signedUpUser } from "@/test/fixtures";
import { makeRequest } from "@/test/http";
import { auditEventsCsv, auditEventTypes, csvCell, listAuditEvents, type AuditFilters } from "./audit-log";

const tag = () => Math.random().toString(36).slice(2, 8);

/** Audit rows written directly with chosen times (the app itself only appends through recordAuditEvent). */
async function events(rows: { type: string; actorId?: string | null; targetId?: string | null; createdAt: Date; userAgent?: string | null; data?: object }[]) {
  const data = rows.map((row) => ({ id: newId("audit"), ip: "192.0.2.1", ...row, data: row.data ?? {} }));
  await db.auditEvent.createMany({ data });
  return data.map((row) => row.id);
}

async function walk(filters: AuditFilters, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listAuditEvents({ ...filters, cursor, limit });
    seen.push(...page.events.map((event) => event.id));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, chunks };
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
}

/** RFC 4180 parsing, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const character = text[i]!;
    if (quoted) {
      if (character === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ",") row.push(cell), (cell = "");
    else if (character === "\r" && text[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    else cell += character;
  }
  return rows;
}

describe("listAuditEvents", () => {
  it("filters by type, actor, target and time, newest first, with the actor's and target's emails", async () => {
    const actor = await signedUpUser();
    const target = await signedUpUser();
    const t = tag();
    const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));
    const [a, b, c, d] = await events([
      { type: `test.${t}.one`, actorId: actor.userId, targetId: target.userId, createdAt: at(1) },
      { type: `test.${t}.one`, actorId: actor.userId, targetId: "sess_other", createdAt: at(2) },
      { type: `test.${t}.two`, actorId: target.userId, targetId: target.userId, createdAt: at(3) },
      { type: `test.${t}.two`, actorId: null, targetId: null, createdAt: at(4) },
    ]);

    const one = await listAuditEvents({ type: `test.${t}.one` });
    expect(one.events.map((event) => event.id)).toEqual([b, a]);
    expect(one.events[1]).toMatchObject({ actorEmail: actor.email, targetEmail: target.email, ip: "192.0.2.1", data: {} });
    expect(one.events[0]).toMatchObject({ targetId: "sess_other", targetEmail: null });
    expect((await listAuditEvents({ actorId: actor.userId, from: at(0), to: at(10) })).events.map((event) => event.id)).toEqual([b, a]);
    expect((await listAuditEvents({ targetId: target.userId, from: at(0), to: at(10) })).events.map((event) => event.id)).toEqual([c, a]);
    // From inclusive, to exclusive.
    expect((await listAuditEvents({ from: at(2), to: at(4) })).events.map((event) => event.id)).toEqual([c, b]);
    expect((await listAuditEvents({ type: `test.${t}.two`, from: at(4) })).events.map((event) => event.id)).toEqual([d]);
  });

  it("pages by (createdAt, id) through equal times, every event exactly once", async () => {
    const t = tag();
    const base = Date.UTC(2025, 6, 1);
    // Seven events share each millisecond.
    const ids = await events(Array.from({ length: 40 }, (_, i) => ({ type: `page.${t}`, createdAt: new Date(base + Math.floor(i / 7)) })));
    const rows = await db.auditEvent.findMany({ where: { id: { in: ids } } });
    const expected = rows
      .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))
      .map((row) => row.id);
    for (const limit of [1, 3, 7, 40, 200]) expect(await walk({ type: `page.${t}` }, limit)).toEqual(expected);
    await expect(listAuditEvents({ cursor: "garbage" })).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("lists every event type for the filter, the admin actions among them", () => {
    const types = auditEventTypes();
    expect(types).toEqual([...types].sort());
    for (const type of ["user.banned", "user.unbanned", "user.locked", "user.metadata_updated", "session.revoked", "user.deleted", "mfa.reset", "sign_in.succeeded"]) {
      expect(types).toContain(type);
    }
  });
});

describe("CSV export", () => {
  it("escapes quotes, commas and line breaks and shows formula-like cells as text", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", bye')).toBe('"say ""hi"", bye"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell(" padded ")).toBe('" padded "');
  });

  it("streams the filtered log in keyset batches, reading the next batch only when the reader wants it", async () => {
    const t = tag();
    const base = Date.UTC(2025, 7, 1);
    const ids = await events(
      Array.from({ length: 5 }, (_, i) => ({
        type: `csv.${t}`,
        createdAt: new Date(base + i * 1000),
        userAgent: i === 0 ? '=cmd|" /C calc"!A0' : `agent, "${i}"\nnext`,
        data: { i, note: "a,b" },
      })),
    );
    const reader = auditEventsCsv({ type: `csv.${t}` }, { batchSize: 2 }).getReader();
    const decoder = new TextDecoder();
    const header = decoder.decode((await reader.read()).value);
    expect(header).toBe("createdAt,id,type,actorId,actorEmail,targetId,targetEmail,ip,userAgent,data\r\n");
    const firstBatch = parseCsv(decoder.decode((await reader.read()).value));
    expect(firstBatch.map((row) => row[1])).toEqual([ids[4], ids[3]]);

    // Written after the first batch was read, older than everything: a lazy export still finds it.
    const [late] = await events([{ type: `csv.${t}`, createdAt: new Date(base - 1000) }]);
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value);
    }
    const rows = [...firstBatch, ...parseCsv(rest)];
    expect(rows.map((row) => row[1])).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0], late]);
    const oldest = rows[4]!;
    expect(oldest[8]).toBe('\'=cmd|" /C calc"!A0'); // formula guard, quotes intact
    expect(rows[0]![8]).toBe('agent, "4"\nnext');
    expect(JSON.parse(rows[0]![9]!)).toEqual({ i: 4, note: "a,b" });
    expect(rows[0]![0]).toBe(new Date(base + 4000).toISOString());
  });

  it("exports more than one default batch of 500 through the route, as a CSV attachment, admins only", async () => {
    const admin = await signedUpUser();
    await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
    const t = tag();
    await events(Array.from({ length: 1_203 }, (_, i) => ({ type: `bulk.${t}`, createdAt: new Date(Date.UTC(2025, 8, 1) + i) })));

    const response = await exportRoute(makeRequest(`/api/admin/audit/export?type=bulk.${t}`, { jar: admin.jar }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe("attachment; filename=audit-log.csv");
    const { text, chunks } = await readAll(response.body!);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + 1_203);
    expect(new Set(rows.slice(1).map((row) => row[1])).size).toBe(1_203);
    expect(chunks).toBe(1 + 3); // the header, then batches of 500, 500, 203

    const user = await signedUpUser();
    expect((await exportRoute(makeRequest("/api/admin/audit/export", { jar: user.jar }))).status).toBe(403);
    const list = await auditRoute(makeRequest(`/api/admin/audit?type=bulk.${t}&limit=10&from=2025-09-01`, { jar: admin.jar }));
    expect(list.status).toBe(200);
    const page = await list.json();
    expect(page.events).toHaveLength(10);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await auditRoute(makeRequest("/api/admin/audit?from=soon", { jar: admin.jar }))).status).toBe(400);
  });
});
