import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const { serverExternalPackages } = require("./next.config.js") as { serverExternalPackages: string[] };

/**
 * The server-side libraries too big to bundle: each route group's copy of the
 * shared chunk held them, and every copy's source stayed on the heap
 * (docs/performance.md, memory over time). Kept external so Node loads each once.
 */
const HEAVY_SERVER_LIBRARIES = [
  "@zxcvbn-ts/language-en", // ~1.2 MB of word lists
  "@zxcvbn-ts/language-common",
  "nodemailer",
  "libphonenumber-js",
  "@simplewebauthn/server",
  "disposable-email-domains", // ~120k names
];

describe("next.config.js serverExternalPackages", () => {
  it("keeps the heavy server-side libraries out of the route bundles", () => {
    expect(serverExternalPackages).toEqual(expect.arrayContaining(HEAVY_SERVER_LIBRARIES));
  });

  // An external is loaded by plain Node at run time: one that Node cannot resolve or load
  // would only fail once a built server reaches the route that imports it.
  it.each(serverExternalPackages)("%s loads in plain Node from the project", async (name) => {
    const entry = name === "disposable-email-domains" ? require(name) : await import(name);
    expect(entry).toBeTruthy();
  });
});
