import { beforeAll, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { GET as accountsRoute } from "@/app/api/auth/session/accounts/route";
import { POST as switchRoute } from "@/app/api/auth/session/switch/route";
import { readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";

type Accounts = { multiSession: boolean; accounts: { sessionId: string; active: boolean; user: { id: string; email: string } }[] };

beforeAll(async () => {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings({ multiSession: true }, { expectedVersion: version });
});

/** A browser signed in as `first`, then as `second` too ("Add account"). */
async function browserWithTwoAccounts() {
  const first = await signedUpUser();
  const second = await signedUpUser();
  const jar = first.jar;
  const signIn = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: second.email, password: second.password }, jar }));
  expect(signIn.status).toBe(200);
  jar.absorb(signIn);
  return { first, second, jar };
}

const accountsOf = async (jar: CookieJar) => (await (await accountsRoute(makeRequest("/api/auth/session/accounts", { jar }))).json()) as Accounts;
const tokenSubject = (jar: CookieJar) => decodeJwtPayload(jar.values.get("__session")!).sub;

describe("several accounts on one browser (S2 multi-session)", () => {
  it("lists both, switches in one request, and the refresh follows the switch", async () => {
    const { first, second, jar } = await browserWithTwoAccounts();
    const listed = await accountsOf(jar);
    expect(listed.multiSession).toBe(true);
    expect(listed.accounts.map((account) => [account.user.id, account.active])).toEqual([
      [first.userId, false],
      [second.userId, true],
    ]);
    expect(tokenSubject(jar)).toBe(second.userId);

    const target = listed.accounts.find((account) => account.user.id === first.userId)!;
    const switched = await switchRoute(makeRequest("/api/auth/session/switch", { body: { sessionId: target.sessionId }, jar }));
    expect(switched.status).toBe(200);
    jar.absorb(switched);
    expect(tokenSubject(jar)).toBe(first.userId);
    const refreshed = await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar }));
    jar.absorb(refreshed);
    expect(tokenSubject(jar)).toBe(first.userId);
  });

  it("refuses to switch to a session of another browser", async () => {
    const { jar } = await browserWithTwoAccounts();
    const stranger = await signedUpUser();
    const strangers = await accountsOf(stranger.jar);
    const response = await switchRoute(makeRequest("/api/auth/session/switch", { body: { sessionId: strangers.accounts[0]!.sessionId }, jar }));
    expect(response.status).toBe(404);
  });

  it("signing out of one account leaves the browser signed in as the other; 'all accounts' ends both", async () => {
    const { first, second, jar } = await browserWithTwoAccounts();
    const out = await signOutRoute(makeRequest("/api/auth/sign-out", { body: { scope: "session" }, jar }));
    expect(await out.json()).toMatchObject({ redirectUrl: "/", signedInAs: first.userId });
    jar.absorb(out);
    expect(tokenSubject(jar)).toBe(first.userId);
    expect((await accountsOf(jar)).accounts.map((account) => account.user.id)).toEqual([first.userId]);
    void second;

    const again = await browserWithTwoAccounts();
    const all = await signOutRoute(makeRequest("/api/auth/sign-out", { body: { scope: "browser" }, jar: again.jar }));
    expect(await all.json()).toMatchObject({ redirectUrl: "/sign-in" });
    again.jar.absorb(all);
    expect((await accountsOf(again.jar)).accounts).toEqual([]);
  });
});
