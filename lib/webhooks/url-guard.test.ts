import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { publicOnlyLookup } from "./public-address.mjs";
import { assertDeliverableUrl, assertWebhookUrlAllowed, isPublicAddress, type ResolvedAddress } from "./url-guard";

const production = { allowPrivate: false } as const;
const resolvesTo =
  (...addresses: string[]) =>
  async (): Promise<ResolvedAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

/** The field error a refusal carries, or "allowed". */
async function verdict(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return "allowed";
  } catch (error) {
    expect(error).toMatchObject({ code: "validation_failed" });
    return (error as { fields: Record<string, string[]> }).fields.url![0]!;
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfigCache();
});

describe("isPublicAddress (net.BlockList)", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fd00::1",
    "fc12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "0:0:0:0:0:ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "not an address",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"])("allows %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("assertWebhookUrlAllowed (S9, S10 SSRF)", () => {
  it("takes http and https URLs only, with a field error on url", async () => {
    expect(await verdict(assertWebhookUrlAllowed("ftp://example.com/hook", production))).toMatch(/https:\/\/ or http:\/\//);
    expect(await verdict(assertWebhookUrlAllowed("javascript:alert(1)", production))).toMatch(/https:\/\/ or http:\/\//);
    expect(await verdict(assertWebhookUrlAllowed("example.com/hook", production))).toMatch(/full URL/);
    expect(await verdict(assertWebhookUrlAllowed("   ", production))).toMatch(/Enter the endpoint's URL/);
    expect(await verdict(assertWebhookUrlAllowed(`https://example.com/${"a".repeat(2048)}`, production))).toMatch(/at most 2048/);
  });

  it("returns the URL normalised by the URL parser", async () => {
    expect(await assertWebhookUrlAllowed("  HTTPS://Hooks.Example.com/in?x=1 ", { ...production, lookup: resolvesTo("93.184.216.34") })).toBe(
      "https://hooks.example.com/in?x=1",
    );
  });

  it.each([
    "http://127.0.0.1:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/",
    "http://192.168.0.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0:3000/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd12::1]/",
    "http://[fe80::1]/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
  ])("refuses %s in production", async (url) => {
    expect(await verdict(assertWebhookUrlAllowed(url, production))).toMatch(/private or loopback address/);
  });

  it("refuses a name that resolves to 127.0.0.1: localhost through the system resolver", async () => {
    expect(await verdict(assertWebhookUrlAllowed("http://localhost:3000/hook", production))).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), a private or loopback address/,
    );
  });

  it("refuses a name with any private address among its public ones, and a name that does not resolve", async () => {
    expect(await verdict(assertWebhookUrlAllowed("https://mixed.example.com/", { ...production, lookup: resolvesTo("93.184.216.34", "10.0.0.7") }))).toMatch(
      /resolves to 10\.0\.0\.7/,
    );
    expect(await verdict(assertWebhookUrlAllowed("https://v6.example.com/", { ...production, lookup: resolvesTo("::ffff:192.168.1.1") }))).toMatch(
      /resolves to ::ffff:192\.168\.1\.1/,
    );
    const failing = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await verdict(assertWebhookUrlAllowed("https://nowhere.invalid/", { ...production, lookup: failing }))).toMatch(/could not be resolved/);
    expect(await verdict(assertWebhookUrlAllowed("https://empty.example.com/", { ...production, lookup: resolvesTo() }))).toMatch(/could not be resolved/);
  });

  it("allows public hosts, by address and by name", async () => {
    expect(await verdict(assertWebhookUrlAllowed("https://93.184.216.34/hook", production))).toBe("allowed");
    expect(await verdict(assertWebhookUrlAllowed("https://[2606:4700:4700::1111]/hook", production))).toBe("allowed");
    expect(await verdict(assertWebhookUrlAllowed("https://hooks.example.com/in", { ...production, lookup: resolvesTo("93.184.216.34", "2606:2800:220:1::1") }))).toBe(
      "allowed",
    );
  });

  it("outside production (NODE_ENV=test here), loopback and private addresses are allowed", async () => {
    expect(await verdict(assertWebhookUrlAllowed("http://127.0.0.1:4000/hook"))).toBe("allowed");
    expect(await verdict(assertWebhookUrlAllowed("http://localhost:4000/hook"))).toBe("allowed");
    // Still http(s) only.
    expect(await verdict(assertWebhookUrlAllowed("file:///etc/passwd"))).toMatch(/https:\/\/ or http:\/\//);
  });

  it("in production (getConfig) they are refused unless WEBHOOK_ALLOW_PRIVATE_URLS=on", async () => {
    vi.stubEnv("NODE_ENV", "production");
    resetConfigCache();
    expect(await verdict(assertWebhookUrlAllowed("http://127.0.0.1:4000/hook"))).toMatch(/private or loopback/);
    expect(await verdict(assertDeliverableUrl("http://[::ffff:10.0.0.1]/hook"))).toMatch(/private or loopback/);

    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE_URLS", "on");
    resetConfigCache();
    expect(await verdict(assertWebhookUrlAllowed("http://127.0.0.1:4000/hook"))).toBe("allowed");
  });
});

describe("assertDeliverableUrl (before each send)", () => {
  it("resolves the host again: a name that now points inside the network is refused", async () => {
    const url = "https://rebinding.example.com/hook";
    expect(await verdict(assertDeliverableUrl(url, { ...production, lookup: resolvesTo("93.184.216.34") }))).toBe("allowed");
    expect(await verdict(assertDeliverableUrl(url, { ...production, lookup: resolvesTo("169.254.169.254") }))).toMatch(/resolves to 169\.254\.169\.254/);
    expect(await verdict(assertDeliverableUrl("http://[::ffff:7f00:1]/", production))).toMatch(/private or loopback/);
    expect(await verdict(assertDeliverableUrl("gopher://example.com/", production))).toMatch(/https:\/\/ or http:\/\//);
  });
});

describe("publicOnlyLookup (the resolver of the delivery sockets, send-worker.mjs)", () => {
  /** GET http://localhost:<port>/ through publicOnlyLookup: the status, or the connection error's code. */
  async function getThroughGuard(allowPrivate: boolean): Promise<number | string> {
    const server = http.createServer((_request, response) => response.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise<number | string>((resolve) => {
        const request = http.get({ host: "localhost", port, family: 4, lookup: publicOnlyLookup(allowPrivate) }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    } finally {
      server.close();
    }
  }

  it("connects to a name resolving to 127.0.0.1 when private addresses are allowed, and refuses to connect when not", async () => {
    expect(await getThroughGuard(true)).toBe(200);
    expect(await getThroughGuard(false)).toBe("EWEBHOOKPRIVATE");
  });
});
