// First-load JavaScript of a page, as the production server sends it: every
// <script src> in the HTML (noModule polyfills excluded: modern browsers skip
// them), fetched and gzipped with zlib at level 9, summed.
import zlib from "node:zlib";

/** Compressed-dictionary prefixes of @zxcvbn-ts's word lists (passwords, English common words). */
const DICTIONARY_MARKERS = ["A123456ApasswordA12345678Aqwerty", "AyouAtheBoA'sAitA'tAofAthat"];

export function scriptSources(html) {
  const sources = [];
  for (const match of html.matchAll(/<script\b([^>]*)>/gi)) {
    const attributes = match[1];
    const src = attributes.match(/\bsrc="([^"]+)"/i)?.[1];
    if (!src) continue;
    sources.push({ src: src.replace(/&amp;/g, "&"), noModule: /\bnomodule\b/i.test(attributes) });
  }
  return sources;
}

const chunkCache = new Map();

async function fetchChunk(baseUrl, src) {
  const url = new URL(src, baseUrl).toString();
  if (!chunkCache.has(url)) {
    chunkCache.set(
      url,
      (async () => {
        const response = await fetch(url);
        if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
        const body = Buffer.from(await response.arrayBuffer());
        const text = body.toString("utf8");
        return {
          src,
          rawBytes: body.byteLength,
          gzipBytes: zlib.gzipSync(body, { level: 9 }).byteLength,
          dictionary: DICTIONARY_MARKERS.some((marker) => text.includes(marker)),
        };
      })(),
    );
  }
  return chunkCache.get(url);
}

/** Scripts of `path` (GET with `headers`), each with raw and gzip size. */
export async function pageWeight(baseUrl, path, headers = {}) {
  const response = await fetch(new URL(path, baseUrl), { headers, redirect: "manual" });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}, expected 200`);
  const sources = scriptSources(html);
  const counted = sources.filter((source) => !source.noModule);
  const chunks = await Promise.all(counted.map((source) => fetchChunk(baseUrl, source.src)));
  return {
    path,
    scripts: chunks.length,
    skippedNoModule: sources.filter((source) => source.noModule).map((source) => source.src),
    rawBytes: chunks.reduce((sum, chunk) => sum + chunk.rawBytes, 0),
    gzipBytes: chunks.reduce((sum, chunk) => sum + chunk.gzipBytes, 0),
    chunks: chunks.sort((a, b) => b.gzipBytes - a.gzipBytes),
    dictionaryChunks: chunks.filter((chunk) => chunk.dictionary).map((chunk) => chunk.src),
  };
}

/** Chunks in the build's static folder that hold a zxcvbn dictionary (proof the lazy chunk exists). */
export async function dictionaryChunksInBuild(fs, path, staticDir) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".js")) {
        const text = fs.readFileSync(full, "utf8");
        if (DICTIONARY_MARKERS.some((marker) => text.includes(marker))) found.push(path.relative(staticDir, full));
      }
    }
  };
  if (fs.existsSync(staticDir)) walk(staticDir);
  return found;
}
