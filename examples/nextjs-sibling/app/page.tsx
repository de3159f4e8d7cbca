import { getSession } from "../lib/session";
import { appOrigin, portalUrl } from "../lib/portal";

// Public page (PUBLIC_PATHS in proxy.ts): shows who is signed in, if anyone.
export default async function Home() {
  const session = await getSession();
  const signIn = new URL("/sign-in", portalUrl());
  signIn.searchParams.set("redirect_url", `${appOrigin()}/dashboard`);
  return (
    <main>
      <h1>Sibling app</h1>
      {session ? (
        <p>
          Signed in as <code>{session.userId}</code>. <a href="/dashboard">Open the dashboard</a>
        </p>
      ) : (
        <p>
          You are signed out. <a href={signIn.toString()}>Sign in</a>
        </p>
      )}
    </main>
  );
}
