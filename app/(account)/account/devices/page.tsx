import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DevicesSection } from "@/app/_components/account/DevicesSection";
import { listDevices } from "@/lib/session";
import { auth } from "@/lib/session/server";

export const metadata: Metadata = { title: "Devices" };
export const dynamic = "force-dynamic";

const HERE = "/account/devices";

/**
 * Active devices (S2, S7): the user's signed-in browsers and devices, read
 * from the session rows (browser, OS and device type from the user agent, IP,
 * last active, created), with "sign out" per device and for all others.
 * Approximate location is left out on purpose: it needs a local GeoIP
 * database, and none is configured (no third-party lookup of users' IPs).
 */
export default async function DevicesPage() {
  const session = await auth();
  // Middleware sends signed-out visitors to sign-in first; this is the server-side backstop.
  if (!session) redirect(`/sign-in?${new URLSearchParams({ redirect_url: HERE }).toString()}`);
  const devices = await listDevices(session.userId, session.sessionId);
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight text-foreground">Devices</h1>
      <p className="mt-1 text-sm text-muted-foreground">Where your account is signed in right now.</p>
      <div className="mt-8">
        <DevicesSection initialDevices={devices} />
      </div>
    </>
  );
}
