import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { db } from "@/lib/db";
import type { AuthState } from "@/lib/session/server";
import { signedUpUser } from "@/test/fixtures";

// The request's auth state is what a page would read from its cookies; the users behind it are real rows.
let state: AuthState | null = null;
vi.mock("@/lib/session/server", () => ({ auth: async () => state }));

const { ImpersonationBanner } = await import("./ImpersonationBanner");
const render = async () => {
  const element = await ImpersonationBanner();
  return element ? renderToStaticMarkup(element) : "";
};
const stateFor = (userId: string, actorId: string | null) =>
  ({ userId, sessionId: "session_x", claims: {} as AuthState["claims"], actor: actorId ? { sub: actorId } : null }) satisfies AuthState;

describe("the impersonation banner (S8)", () => {
  beforeEach(() => {
    state = null;
  });

  it("renders nothing signed out or in the user's own session", async () => {
    expect(await render()).toBe("");
    const user = await signedUpUser();
    state = stateFor(user.userId, null);
    expect(await render()).toBe("");
  });

  it("names the user and the admin, with a script-free form to stop", async () => {
    const admin = await signedUpUser();
    const user = await signedUpUser();
    await db.user.update({ where: { id: user.userId }, data: { firstName: "Ada", lastName: "Lovelace" } });
    state = stateFor(user.userId, admin.userId);
    const html = await render();
    expect(html).toContain('role="region"');
    expect(html).toContain('aria-label="Impersonation"');
    expect(html).toContain(`You are signed in as <strong class="font-semibold">Ada Lovelace (${user.email})</strong>`);
    expect(html).toContain(`(impersonated by ${admin.email})`);
    const form = html.match(/<form([^>]*)><button type="submit"[^>]*>Stop impersonating<\/button><\/form>/);
    expect(form?.[1]).toContain('action="/api/auth/impersonation/stop"');
    expect(form?.[1]).toContain('method="post"');
    expect(html).not.toContain("<script");
  });
});
