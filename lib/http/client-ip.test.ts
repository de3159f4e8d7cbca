import { afterEach, describe, expect, it } from "vitest";
import { makeRequest } from "@/test/http";
import { clientIp } from "./request-info";

// The last X-Forwarded-For entry is always the socket peer: scripts/server.mjs appends it (Next
// fills it when a client sent none), so these headers are what the app sees behind each setup.
const ipOf = (headers: Record<string, string>) => clientIp(makeRequest("/api/auth/sign-in", { headers }));

afterEach(() => {
  delete process.env.AUTH_TRUSTED_PROXIES;
  delete process.env.VERCEL;
});

describe("clientIp (S10: trusted proxies, never the first X-Forwarded-For entry as sent)", () => {
  it("with nothing trusted (the default), a spoofed X-Forwarded-For gives the socket address", () => {
    expect(ipOf({ "x-forwarded-for": "1.2.3.4, 203.0.113.9" })).toBe("203.0.113.9");
  });

  it("behind a proxy on the same host (loopback trusted): the entry before it, not the client's forgery", () => {
    process.env.AUTH_TRUSTED_PROXIES = "loopback";
    expect(ipOf({ "x-forwarded-for": "1.2.3.4, 198.51.100.7, 127.0.0.1" })).toBe("198.51.100.7");
  });

  it("a hop count trusts exactly that many nearest hops", () => {
    process.env.AUTH_TRUSTED_PROXIES = "2";
    expect(ipOf({ "x-forwarded-for": "1.2.3.4, 198.51.100.7, 10.0.0.2, 10.0.0.1" })).toBe("198.51.100.7");
  });

  it("a load balancer's CIDR: every hop inside it is skipped", () => {
    process.env.AUTH_TRUSTED_PROXIES = "10.0.0.0/8, 192.0.2.1";
    expect(ipOf({ "x-forwarded-for": "1.2.3.4, 198.51.100.7, 192.0.2.1, 10.1.2.3" })).toBe("198.51.100.7");
  });

  it("on Vercel: Vercel's own client-IP header (x-vercel-forwarded-for, else x-real-ip), not X-Forwarded-For", () => {
    process.env.VERCEL = "1";
    expect(ipOf({ "x-forwarded-for": "1.2.3.4", "x-vercel-forwarded-for": "198.51.100.7" })).toBe("198.51.100.7");
    expect(ipOf({ "x-forwarded-for": "1.2.3.4", "x-real-ip": "198.51.100.8" })).toBe("198.51.100.8");
  });

  it("an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is its IPv4 address, one key per client", () => {
    expect(ipOf({ "x-forwarded-for": "::ffff:127.0.0.1" })).toBe("127.0.0.1");
  });

  it("refuses an invalid AUTH_TRUSTED_PROXIES, naming the variable", () => {
    process.env.AUTH_TRUSTED_PROXIES = "loopbak";
    expect(() => ipOf({ "x-forwarded-for": "127.0.0.1" })).toThrow(/AUTH_TRUSTED_PROXIES: invalid IP address: loopbak/);
  });
});
