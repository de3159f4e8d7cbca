import { solveChallenge, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { GET as botChallengeRoute } from "@/app/api/auth/bot-challenge/route";
import { makeRequest } from "./http";

/**
 * Solves a bot-protection challenge the way the browser widget does (S10):
 * fetches one from the real route, does the proof of work with altcha-lib's
 * own solver, and returns the widget's payload (base64 JSON).
 */
export async function solvedBotCheck(headers: Record<string, string> = {}): Promise<string> {
  const response = await botChallengeRoute(makeRequest("/api/auth/bot-challenge", { headers }));
  if (response.status !== 200) throw new Error(`bot challenge: ${response.status} ${await response.text()}`);
  return solveBotChallenge((await response.json()) as Challenge);
}

export async function solveBotChallenge(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error("no solution found for the bot challenge");
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString("base64");
}
