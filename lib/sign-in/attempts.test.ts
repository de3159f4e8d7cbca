import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ensureClient, type RequestContext } from "@/lib/session";
import { uniqueEmail } from "@/test/http";
import { advanceAttempt, createSignInAttempt, loadAttempt, loadAttemptForBrowser } from "./attempts";

const context: RequestContext = { ip: "192.0.2.1", userAgent: "vitest", issuer: "http://localhost:3000", authorizedParty: "http://localhost:3000" };
const root = path.resolve(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" || entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Files (outside tests) that call `name(`. */
function callersOf(name: string): string[] {
  const call = new RegExp(`\\b${name}\\(`);
  return [...sourceFiles(path.join(root, "lib")), ...sourceFiles(path.join(root, "app"))]
    .filter((file) => call.test(fs.readFileSync(file, "utf8").replace(new RegExp(`function ${name}\\(`, "g"), "")))
    .map((file) => path.relative(root, file));
}

async function newAttempt(ttlMs = 60_000) {
  const { client, attemptId } = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, null, "vitest");
    const attemptId = await createSignInAttempt(tx, { client, identifier: uniqueEmail("attempt"), userId: null, ttlMs }, context);
    return { client, attemptId };
  });
  return { client, attempt: (await loadAttempt(attemptId))! };
}

describe("the sign-in attempt module (S2: one path to a session)", () => {
  it("is the only caller of openSession and createUser", () => {
    expect(callersOf("openSession")).toEqual([path.join("lib", "sign-in", "attempts.ts")]);
    expect(callersOf("createUser")).toEqual([path.join("lib", "sign-in", "attempts.ts")]);
    // Its batch form (an import's rows): only here and in createUser itself.
    expect(callersOf("createUsers").sort()).toEqual([path.join("lib", "sign-in", "attempts.ts"), path.join("lib", "users", "create-user.ts")]);
  });

  it("records where the attempt was started and binds it to the browser's client", async () => {
    const { client, attempt } = await newAttempt();
    expect(attempt).toMatchObject({ ip: "192.0.2.1", userAgent: "vitest", status: "needs_first_factor" });
    await expect(loadAttemptForBrowser(attempt.id, client.newClientToken)).resolves.toMatchObject({ id: attempt.id });
    await expect(loadAttemptForBrowser(attempt.id, "someone-elses-client-token")).rejects.toMatchObject({ code: "not_found" });
    await expect(loadAttemptForBrowser(attempt.id, null)).rejects.toMatchObject({ code: "not_found" });
  });

  it("advances only once, only on the attempt's own client, and never after it expired (one conditional update)", async () => {
    const now = new Date();
    const { attempt } = await newAttempt();
    // Another client's view of the same attempt id: refused, nothing changes.
    await expect(
      db.$transaction((tx) => advanceAttempt(tx, { ...attempt, clientId: "client_other" }, { from: ["needs_first_factor"], to: "complete" }, now)),
    ).rejects.toMatchObject({ code: "verification_used" });
    expect((await loadAttempt(attempt.id))!.status).toBe("needs_first_factor");

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        db.$transaction((tx) => advanceAttempt(tx, attempt, { from: ["needs_first_factor"], to: "complete" }, now)),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);

    const stale = (await newAttempt(1_000)).attempt;
    const later = new Date(Date.now() + 5_000);
    await expect(
      db.$transaction((tx) => advanceAttempt(tx, stale, { from: ["needs_first_factor"], to: "complete" }, later)),
    ).rejects.toMatchObject({ code: "verification_expired" });
    expect((await loadAttempt(stale.id))!.status).toBe("needs_first_factor");
  });
});
