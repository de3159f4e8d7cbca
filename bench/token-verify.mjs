#!/usr/bin/env node
// Micro-benchmark: cost per call of lib/edge/verify.ts's verified-token cache
// (a hit) against a cold jose jwtVerify of the same ES256 token.
//
// The TypeScript source is compiled with esbuild, the transformer Vitest (via
// Vite) uses for the tests, into one ESM file under bench/.cache, with jose
// left as a normal import: what runs is the code middleware runs, minus the
// Edge sandbox. Prints one JSON object on stdout.
//
//   node bench/token-verify.mjs [--quick]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");

async function loadEsbuild() {
  const require = createRequire(path.join(ROOT, "package.json"));
  try {
    return require("esbuild");
  } catch {
    // Not hoisted: take the one Vite (Vitest's transformer) depends on.
    return createRequire(require.resolve("vite"))("esbuild");
  }
}

async function compileVerify() {
  const esbuild = await loadEsbuild();
  const outDir = path.join(ROOT, "bench", ".cache");
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `edge-verify-${process.pid}.mjs`);
  await esbuild.build({
    stdin: {
      contents: 'export * from "./lib/edge/verify.ts"; export { SESSION_TOKEN_VERSION } from "./lib/edge/claims.ts";',
      resolveDir: ROOT,
      loader: "ts",
      sourcefile: "bench-entry.ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["jose"],
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

/** ns per call of `fn`, measured over `iterations` sequential awaited calls. */
async function perCall(fn, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return ((performance.now() - start) * 1e6) / iterations;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const file = await compileVerify();
  let edge;
  try {
    // jose resolves from the project, like the app's import does.
    edge = await import(pathToFileURL(file).href);
  } finally {
    fs.rmSync(file, { force: true });
    try {
      fs.rmdirSync(path.dirname(file)); // leave no bench/.cache behind (fails harmlessly if another run uses it)
    } catch {
      /* not empty */
    }
  }
  const require = createRequire(path.join(ROOT, "package.json"));
  const jose = await import(pathToFileURL(require.resolve("jose")).href);

  const issuer = "http://bench.invalid";
  const { publicKey, privateKey } = await jose.generateKeyPair("ES256", { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid: "key_bench", alg: "ES256", use: "sig" };
  // Middleware uses createRemoteJWKSet; once fetched it resolves keys exactly like a local set.
  const keys = jose.createLocalJWKSet({ keys: [publicJwk] });
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ sid: "sess_bench", azp: issuer, role: "user", v: edge.SESSION_TOKEN_VERSION })
    .setProtectedHeader({ alg: "ES256", kid: "key_bench", typ: "JWT" })
    .setIssuer(issuer)
    .setSubject("user_bench")
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + 3600)
    .sign(privateKey);

  const options = { keys, keySetId: "bench", issuer };
  const check = await edge.verifySessionToken(token, options);
  if (!check.ok) throw new Error(`the bench token did not verify: ${JSON.stringify(check)}`);

  const coldJose = () =>
    jose.jwtVerify(token, keys, { algorithms: ["ES256"], issuer, requiredClaims: ["sub", "sid", "exp", "iat", "nbf"] });
  const cacheMiss = () => {
    edge.clearVerifiedTokenCache();
    return edge.verifySessionToken(token, options);
  };
  const cacheHit = () => edge.verifySessionToken(token, options);

  const rounds = quick ? 3 : 7;
  const coldIterations = quick ? 200 : 1_000;
  const hitIterations = quick ? 50_000 : 300_000;
  // Warm-up (JIT, key import caches).
  await perCall(coldJose, 100);
  await perCall(cacheMiss, 100);
  await edge.verifySessionToken(token, options);
  await perCall(cacheHit, 20_000);

  const samples = { coldJwtVerifyNs: [], cacheMissNs: [], cacheHitNs: [] };
  for (let round = 0; round < rounds; round++) {
    samples.coldJwtVerifyNs.push(await perCall(coldJose, coldIterations));
    samples.cacheMissNs.push(await perCall(cacheMiss, coldIterations));
    await edge.verifySessionToken(token, options); // refill the cache
    samples.cacheHitNs.push(await perCall(cacheHit, hitIterations));
  }
  const result = {
    coldJwtVerifyNs: median(samples.coldJwtVerifyNs),
    cacheMissNs: median(samples.cacheMissNs),
    cacheHitNs: median(samples.cacheHitNs),
    rounds,
    coldIterations,
    hitIterations,
    samples,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
