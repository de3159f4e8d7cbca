import { requireSession } from "../../lib/session";
import { portalUrl } from "../../lib/portal";

// Protected by proxy.ts, and checked here again from the cookie (a server component must not rely on the proxy alone).
export default async function Dashboard() {
  const session = await requireSession("/dashboard");
  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        User <code>{session.userId}</code>, session <code>{session.sessionId}</code>, role <code>{session.role}</code>
        {session.actorId ? (
          <>
            {" "}
            (impersonated by <code>{session.actorId}</code>)
          </>
        ) : null}
      </p>
      {/* Account settings and sign-out live on the portal; signing out there clears the shared cookies. */}
      <p>
        <a href={`${portalUrl()}/account`}>Manage account</a> · <a href={portalUrl()}>Sign out on the portal</a>
      </p>
    </main>
  );
}
