#!/usr/bin/env node
// Admin commands for operators (S8, S10), run against the same database as the app:
//   npm run admin -- promote <email>   make a user an admin (the first admin, without ADMIN_EMAILS)
//   npm run admin -- unlock <email>    lift a lockout after too many failed sign-ins
//   npm run admin -- oauth <provider> --client-id <id> --client-secret <secret|-> [--issuer <url>] [--name <label>] [--disable]
//                                      store an OAuth provider in the instance settings (secret encrypted;
//                                      "-" reads the secret from stdin, keeping it out of shell history)
// Uses DATABASE_URL; without it, opens the embedded database in <data dir>/pglite (PORTAL_DATA_DIR, default .data)
// (stop `npm run dev` first: the embedded database takes one process at a time).
// Both commands are audited, with "cli" as the channel and no acting user.
import path from "node:path";
import { parseArgs } from "node:util";
import { createJiti } from "jiti";
import { startPglite } from "./lib/db.mjs";
import { ROOT } from "./lib/proc.mjs";
import { dataDir } from "./lib/secret.mjs";

const USAGE =
  "usage: npm run admin -- promote <email> | unlock <email> | oauth <provider> --client-id <id> --client-secret <secret|-> [--issuer <url>] [--name <label>] [--disable]";
let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      issuer: { type: "string" },
      name: { type: "string" },
      disable: { type: "boolean" },
    },
  });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const [command, email] = parsed.positionals;
if (!["promote", "unlock", "oauth"].includes(command) || !email || (command === "oauth" && !parsed.values["client-id"])) {
  console.error(USAGE);
  process.exit(2);
}

async function readStdin() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.trim();
}

let embedded = null;
if (!process.env.DATABASE_URL) {
  try {
    embedded = await startPglite(path.join(dataDir(), "pglite"), { maxConnections: 1 });
  } catch (error) {
    console.error(`Could not open the embedded database (${error.message}). Is \`npm run dev\` running? Stop it first.`);
    process.exit(1);
  }
  process.env.DATABASE_URL = embedded.url;
  process.env.DATABASE_POOL_MAX = "1";
}

// The domain code is TypeScript: load it as the app would, minus Next's `server-only` marker.
const jiti = createJiti(import.meta.url, {
  alias: { "@": ROOT, "server-only": path.join(ROOT, "scripts", "lib", "empty-module.mjs") },
  // The domain reaches the React Email templates (.tsx) through lib/email.
  jsx: { runtime: "automatic" },
});

let exitCode = 0;
try {
  const admin = await jiti.import(path.join(ROOT, "lib", "admin", "index.ts"));
  if (command === "promote") {
    const { userId, wasAdmin } = await admin.promoteToAdmin(email, { actorId: null, via: "cli" });
    console.log(wasAdmin ? `${email} (${userId}) is already an admin.` : `${email} (${userId}) is now an admin.`);
  } else if (command === "oauth") {
    const secret = parsed.values["client-secret"] === "-" ? await readStdin() : parsed.values["client-secret"];
    await admin.saveOAuthProvider(
      { id: email, clientId: parsed.values["client-id"], clientSecret: secret || undefined, issuer: parsed.values.issuer, name: parsed.values.name, enabled: !parsed.values.disable },
      { actorId: null },
    );
    console.log(`OAuth provider "${email}" ${parsed.values.disable ? "saved and disabled" : "saved"}. Redirect URI: <AUTH_URL>/api/auth/oauth/${email}/callback`);
  } else {
    const userId = await admin.findUserIdByEmail(email);
    const { wasLocked } = await admin.unlockUser(userId, { actorId: null });
    console.log(wasLocked ? `${email} (${userId}) is unlocked.` : `${email} (${userId}) was not locked; failed-attempt count reset.`);
  }
} catch (error) {
  const fields = error?.fields ? ` (${Object.entries(error.fields).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ")})` : "";
  console.error(error?.code === "not_found" ? error.message : `Failed: ${error?.message ?? error}${fields}`);
  exitCode = 1;
} finally {
  const { getDb } = await jiti.import(path.join(ROOT, "lib", "db.ts"));
  await getDb().$disconnect().catch(() => {});
  const ratelimit = await jiti.import(path.join(ROOT, "lib", "ratelimit", "index.ts"));
  await (await ratelimit.getRateLimitStore()).close?.();
  await embedded?.stop();
}
process.exit(exitCode);
