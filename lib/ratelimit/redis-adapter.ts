import crypto from "node:crypto";
import type { Redis as IORedis } from "ioredis";

/**
 * What @upstash/ratelimit calls on its `redis` (see safeEval in its dist:
 * `evalsha(hash, keys, args)`, falling back to `eval(script, keys, args)` on
 * NOSCRIPT), implemented over a normal Redis client (ioredis), so a self-hosted
 * Redis can back the same limiter as Upstash.
 *
 * The library's Lua scripts start with `#!lua flags=allow-key-locking`, which
 * Redis 7.0 (Debian's) refuses ("Unexpected flag in script shebang"), so the
 * shebang line is stripped. The library addresses scripts by the SHA-1 of the
 * unstripped text; we map that to the SHA-1 of what Redis actually loaded.
 */
export type UpstashCompatibleRedis = {
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>;
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>;
  scriptLoad(script: string): Promise<string>;
};

const sha1 = (text: string) => crypto.createHash("sha1").update(text).digest("hex");

export function stripLuaShebang(script: string): string {
  return script.startsWith("#!") ? script.slice(script.indexOf("\n") + 1) : script;
}

/** Redis arguments are strings: the library passes numbers and, for its reset script, `null`. */
const toArgument = (value: unknown): string | number => (value === null || value === undefined ? "" : typeof value === "number" ? value : String(value));

export function upstashRedisOverIoredis(client: IORedis): UpstashCompatibleRedis {
  /** Library hash (SHA-1 of the original script) -> SHA-1 of the stripped script Redis has. */
  const loadedSha = new Map<string, string>();

  return {
    async eval(script, keys, args) {
      const body = stripLuaShebang(script);
      const result = await client.eval(body, keys.length, ...keys, ...args.map(toArgument));
      // EVAL caches the script server-side, so the next call can go by hash.
      loadedSha.set(sha1(script), sha1(body));
      return result;
    },
    async evalsha(sha, keys, args) {
      const ours = loadedSha.get(sha);
      // Unknown to us yet: answer like Redis would, so the library falls back to eval().
      if (!ours) throw new Error("NOSCRIPT No matching script (not loaded through this adapter yet)");
      try {
        return await client.evalsha(ours, keys.length, ...keys, ...args.map(toArgument));
      } catch (error) {
        if (`${error}`.includes("NOSCRIPT")) loadedSha.delete(sha); // Redis restarted or SCRIPT FLUSH
        throw error;
      }
    },
    async scriptLoad(script) {
      const body = stripLuaShebang(script);
      await client.script("LOAD", body);
      loadedSha.set(sha1(script), sha1(body));
      return sha1(script);
    },
  };
}
