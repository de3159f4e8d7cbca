import type { APIRequestContext } from "@playwright/test";
import { solveChallenge, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";

/**
 * What a browser's bot check sends (S10), for tests that post forms through
 * the API instead of a page: a challenge from the portal, solved with
 * altcha-lib's own solver, in the widget's payload format.
 */
export async function solvedBotCheck(request: APIRequestContext): Promise<string> {
  const response = await request.get("/api/auth/bot-challenge");
  if (!response.ok()) throw new Error(`bot challenge: ${response.status()} ${await response.text()}`);
  const challenge = (await response.json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error("no solution found for the bot challenge");
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString("base64");
}
