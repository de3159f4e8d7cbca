import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { setRateLimitStore } from "@/lib/ratelimit";
import { ORIGIN } from "@/test/http";
import { handler } from "./handler";
import { json } from "./responses";
import { steadyMemoryStore } from "@/test/rate-limit";

// handler({ multipart }) (lib/http/handler.ts): a multipart/form-data body with a size cap, fields through `body`.
const upload = handler(
  {
    body: z.object({ file: z.instanceof(File, { message: "Choose a file." }), note: z.string().optional() }),
    multipart: { maxBytes: 1024, tooLarge: { field: "file", message: "At most 1 KB." } },
  },
  async ({ body }) => json({ name: body.file.name, size: body.file.size, note: body.note ?? null }),
);

function post(body: BodyInit, headers: Record<string, string> = {}) {
  return upload(new NextRequest(new URL("/api/test-upload", ORIGIN), { method: "POST", headers: { origin: ORIGIN, ...headers }, body }));
}

function form(size: number, note?: string): FormData {
  const data = new FormData();
  data.set("file", new Blob([new Uint8Array(size)]), "a.bin");
  if (note !== undefined) data.set("note", note);
  return data;
}

beforeEach(() => setRateLimitStore(steadyMemoryStore()));
afterEach(() => setRateLimitStore(undefined));

describe("handler multipart option", () => {
  it("parses the form into `body` (files and strings)", async () => {
    const response = await post(form(100, "hi"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: "a.bin", size: 100, note: "hi" });
  });

  it("refuses a body over maxBytes (413 on the named field), by Content-Length before reading, or while reading", async () => {
    const big = await post(form(5000));
    expect(big.status).toBe(413);
    expect((await big.json()).errors).toEqual([{ code: "payload_too_large", field: "file", message: "At most 1 KB." }]);
    const declared = await post("x", { "content-type": "multipart/form-data; boundary=b", "content-length": "999999" });
    expect(declared.status).toBe(413);
  });

  it("refuses other media types (415) and unreadable multipart (400); still checks Origin (403)", async () => {
    expect((await post(JSON.stringify({ file: "x" }), { "content-type": "application/json" })).status).toBe(415);
    expect((await post("garbage", { "content-type": "multipart/form-data; boundary=nothing-here" })).status).toBe(400);
    const crossSite = await upload(
      new NextRequest(new URL("/api/test-upload", ORIGIN), { method: "POST", headers: { origin: "https://evil.example" }, body: form(10) }),
    );
    expect(crossSite.status).toBe(403);
  });

  it("a missing file is a field error from the schema", async () => {
    const data = new FormData();
    data.set("note", "no file");
    const response = await post(data);
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ code: "validation_failed", field: "file", message: "Choose a file." }]);
  });
});
