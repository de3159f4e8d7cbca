import { afterEach, describe, expect, it, vi } from "vitest";

const requestHeaders = vi.hoisted(() => ({ current: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));

const { assertSameOriginAction } = await import("./origin");

afterEach(() => {
  requestHeaders.current = new Headers();
});

describe("assertSameOriginAction (server actions)", () => {
  it("accepts the instance origin (AUTH_URL) and refuses any other or none", async () => {
    requestHeaders.current = new Headers({ origin: "http://localhost:3000", host: "localhost:3000" });
    await expect(assertSameOriginAction()).resolves.toBeUndefined();
    for (const origin of ["https://evil.example", "null", "http://localhost:3000.evil.example"]) {
      requestHeaders.current = new Headers({ origin, host: "localhost:3000" });
      await expect(assertSameOriginAction(), origin).rejects.toMatchObject({ code: "origin_mismatch" });
    }
    requestHeaders.current = new Headers({ host: "localhost:3000" });
    await expect(assertSameOriginAction()).rejects.toMatchObject({ code: "origin_mismatch" });
  });
});
