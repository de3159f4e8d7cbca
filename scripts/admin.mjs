#!/usr/bin/env node
// Admin commands for operators (S8, S10), run against the same database as the app:
//   npm run admin -- promote <email>   make a user an admin (the first admin, without ADMIN_EMAILS)
//   npm run admin -- unlock <email>    lift a lockout after too many failed sign-ins
//   npm run admin -- oauth <provider> --client-id <id> --client-secret <secret|-> [--issuer <url>] [--name <label>] [--disable]
//                                      store an OAuth provider in the instance settings (secret encrypted;
//                                      "-" reads the secret from stdin, keeping it out of shell history)
//   npm run admin -- oauth apple --client-id <services id> --team-id <id> --key-id <id> --private-key <file.p8|->
//                                      Sign in with Apple: the key signs the client secret (docs/oauth.md)
//   npm run admin -- import <file> [--format portal|clerk|auth0] [--dry-run]
//                                      import users with their password digests (docs/importing.md): idempotent
//                                      by external id; exit code 1 when any row failed (each is listed)
//   npm run admin -- rotate-signing-key
//                                      make a new signing key and retire the old one (published 24 h more): after a
//                                      suspected key leak, or after AUTH_SECRET changed and the old key cannot be read
//   npm run admin -- reseal-secrets    after changing AUTH_SECRET (with AUTH_SECRET_PREVIOUS set to the old one): seal
//                                      every stored secret under the new one, so AUTH_SECRET_PREVIOUS can go (docs/security.md)
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
  "usage: npm run admin -- promote <email> | unlock <email> | oauth <provider> --client-id <id> --client-secret <secret|-> [--issuer <url>] [--name <label>] [--disable] | import <file> [--format portal|clerk|auth0] [--dry-run] | rotate-signing-key | reseal-secrets";
let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "team-id": { type: "string" },
      "key-id": { type: "string" },
      "private-key": { type: "string" },
      issuer: { type: "string" },
      name: { type: "string" },
      disable: { type: "boolean" },
      format: { type: "string", default: "portal" },
      "dry-run": { type: "boolean" },
    },
  });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const [command, email] = parsed.positionals;
if (
  !["promote", "unlock", "oauth", "import", "rotate-signing-key", "reseal-secrets"].includes(command) ||
  (["rotate-signing-key", "reseal-secrets"].includes(command) ? email !== undefined : !email) ||
  (command === "oauth" && !parsed.values["client-id"]) ||
  (command === "import" && !["portal", "clerk", "auth0"].includes(parsed.values.format))
) {
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

/** `import <file>`: progress every 5% of a large file, then the summary and every failed row; 1 if any row failed. */
async function importCommand(file, format, dryRun) {
  const { readFile } = await import("node:fs/promises");
  const content = await readFile(path.resolve(process.cwd(), file), "utf8");
  const { importUsersFromFile } = await jiti.import(path.join(ROOT, "lib", "import", "index.ts"));
  let lastStep = 0;
  const summary = await importUsersFromFile(content, format, {
    dryRun,
    context: { ip: null, userAgent: "cli" },
    onProgress: ({ done, total, created, updated, unchanged, failed }) => {
      const step = Math.floor((done / total) * 20);
      if (total < 1000 || step === lastStep || done === total) return;
      lastStep = step;
      console.log(`${done}/${total} (${Math.floor((done / total) * 100)}%): ${created} created, ${updated} updated, ${unchanged} unchanged, ${failed} failed`);
    },
  });
  console.log(
    `${dryRun ? "Dry run (nothing was written): " : ""}${summary.total} rows: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed.length} failed.`,
  );
  for (const failure of summary.failed) {
    // Field messages the summary line does not already say.
    const more = Object.entries(failure.fields ?? {}).flatMap(([field, messages]) => messages.filter((message) => !failure.message.includes(message)).map((message) => `${field}: ${message}`));
    const fields = more.length > 0 ? ` (${more.join("; ")})` : "";
    console.log(`  row ${failure.row}${failure.externalId ? ` [${failure.externalId}]` : ""}: ${failure.message}${fields}`);
  }
  return summary.failed.length > 0 ? 1 : 0;
}

/** `reseal-secrets`: a line per kind, every secret neither AUTH_SECRET opens, what stays tied to the old secret; 1 if any was unreadable. */
function printResealSummary(summary) {
  const kinds = [
    ["signingKeys", "signing keys"],
    ["totpSeeds", "authenticator-app seeds"],
    ["jwtTemplateSecrets", "JWT template secrets"],
    ["webhookSecrets", "webhook secrets"],
    ["oauthClientSecrets", "OAuth client secrets"],
  ];
  let unreadable = 0;
  for (const [kind, label] of kinds) {
    const tally = summary[kind];
    unreadable += tally.unreadable.length;
    console.log(`${label}: ${tally.resealed} resealed, ${tally.current} already under AUTH_SECRET${tally.unreadable.length ? `, ${tally.unreadable.length} unreadable` : ""}`);
    for (const item of tally.unreadable) console.log(`  unreadable with either secret: ${item}`);
  }
  if (unreadable > 0) {
    console.log("Unreadable secrets were sealed under a third secret: replace them (a new signing key, a new webhook secret, the provider's secret saved again; users re-add their authenticator app).");
  }
  if (summary.usersWithBackupCodes > 0) {
    console.log(
      `${summary.usersWithBackupCodes === 1 ? "1 user has" : `${summary.usersWithBackupCodes} users have`} backup codes. They are keyed hashes and cannot be resealed: codes made before the new AUTH_SECRET work only while AUTH_SECRET_PREVIOUS is set (docs/security.md).`,
    );
  }
  console.log(unreadable > 0 ? "Done, with unreadable secrets (above)." : "Done. Every sealed secret is under AUTH_SECRET.");
  return unreadable > 0 ? 1 : 0;
}

let exitCode = 0;
try {
  const admin = await jiti.import(path.join(ROOT, "lib", "admin", "index.ts"));
  if (command === "rotate-signing-key") {
    // Straight from lib/session/keys: the session index reaches Next's request APIs, which a CLI has no use for.
    const { rotateSigningKey } = await jiti.import(path.join(ROOT, "lib", "session", "keys.ts"));
    const { kid } = await rotateSigningKey({ actorId: null, ip: null, userAgent: "cli" });
    console.log(`New signing key ${kid} is active. Running servers sign with it within a minute; tokens signed by the old key still verify for 24 h.`);
  } else if (command === "reseal-secrets") {
    exitCode = printResealSummary(await admin.resealSecrets({ actorId: null, userAgent: "cli" }));
  } else if (command === "import") {
    exitCode = await importCommand(email, parsed.values.format, parsed.values["dry-run"] === true);
  } else if (command === "promote") {
    const { userId, wasAdmin } = await admin.promoteToAdmin(email, { actorId: null, via: "cli" });
    console.log(wasAdmin ? `${email} (${userId}) is already an admin.` : `${email} (${userId}) is now an admin.`);
  } else if (command === "oauth") {
    const secret = parsed.values["client-secret"] === "-" ? await readStdin() : parsed.values["client-secret"];
    const keyFile = parsed.values["private-key"];
    const privateKey = keyFile === "-" ? await readStdin() : keyFile ? (await import("node:fs")).readFileSync(keyFile, "utf8") : undefined;
    await admin.saveOAuthProvider(
      {
        id: email,
        clientId: parsed.values["client-id"],
        clientSecret: secret || undefined,
        issuer: parsed.values.issuer,
        name: parsed.values.name,
        enabled: !parsed.values.disable,
        ...(email === "apple" ? { teamId: parsed.values["team-id"], keyId: parsed.values["key-id"], privateKey: privateKey || undefined } : {}),
      },
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
