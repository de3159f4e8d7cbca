import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubLikeServer } from "@/test/github-like-server";
import { beginAuthorization, completeAuthorization } from "./protocol";
import { PROVIDER_PRESETS, type OAuthProvider } from "./providers";
import { OAuthFlowError } from "./errors";

const CALLBACK = "http://localhost:3999/api/auth/oauth/github/callback";
let github: Awaited<ReturnType<typeof startGithubLikeServer>>;
let provider: OAuthProvider;

beforeAll(async () => {
  github = await startGithubLikeServer({ clientId: "gh-client", clientSecret: "gh-secret" });
  // The GitHub preset with its endpoints pointed at the local server.
  provider = {
    ...PROVIDER_PRESETS.github,
    clientId: "gh-client",
    clientSecret: "gh-secret",
    authorizationEndpoint: `${github.base}/login/oauth/authorize`,
    tokenEndpoint: `${github.base}/login/oauth/access_token`,
    apiBaseUrl: github.base,
  };
});
afterAll(() => github?.close());

async function signInWithGithub() {
  const start = await beginAuthorization(provider, { callbackUrl: CALLBACK, redirectUrl: "/", intent: "sign_in", userId: null });
  const redirect = await fetch(start.authorizationUrl, { redirect: "manual" });
  const callback = new URL(redirect.headers.get("location")!);
  return { start, callback, complete: () => completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState }) };
}

describe("GitHub-style OAuth (no OpenID Connect)", () => {
  it("takes the verified primary address from /user/emails", async () => {
    github.signInAs({
      id: 4242,
      login: "octo",
      name: "Octo Cat",
      emails: [
        { email: "old@example.com", primary: false, verified: true },
        { email: "octo@example.com", primary: true, verified: true },
      ],
    });
    const { start, complete } = await signInWithGithub();
    expect(new URL(start.authorizationUrl).searchParams.get("nonce")).toBeNull();
    expect(new URL(start.authorizationUrl).searchParams.get("scope")).toBe("read:user user:email");
    const { identity } = await complete();
    expect(identity).toEqual({
      provider: "github",
      providerUserId: "4242",
      email: "octo@example.com",
      emailVerified: true,
      username: "octo",
      imageUrl: "https://avatars.githubusercontent.com/u/4242",
      firstName: "Octo",
      lastName: "Cat",
    });
    // The request shapes GitHub expects: JSON from the token endpoint, its media type and a User-Agent on the API.
    const api = github.seen.filter((request) => request.path === "/user" || request.path === "/user/emails");
    expect(api.every((request) => request.accept === "application/vnd.github+json" && request.userAgent && request.authorization?.startsWith("Bearer gho_"))).toBe(true);
    expect(github.seen.find((request) => request.path === "/login/oauth/access_token")?.accept).toContain("application/json");
  });

  it("treats an unverified primary address as unverified", async () => {
    github.signInAs({ id: 7, login: "newbie", name: null, emails: [{ email: "newbie@example.com", primary: true, verified: false }] });
    const { identity } = await (await signInWithGithub()).complete();
    expect(identity.email).toBe("newbie@example.com");
    expect(identity.emailVerified).toBe(false);
  });

  it("refuses a replayed callback (GitHub answers 200 with an error for a used code)", async () => {
    github.signInAs({ id: 8, login: "again", name: null, emails: [{ email: "again@example.com", primary: true, verified: true }] });
    const flow = await signInWithGithub();
    await flow.complete();
    const error = await flow.complete().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect((error as OAuthFlowError).reason).toBe("provider_error");
  });
});
