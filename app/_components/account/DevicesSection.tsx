"use client";

import { Laptop, Monitor, Smartphone, Tablet, Tv, Watch } from "lucide-react";
import { useCallback, useState, useSyncExternalStore } from "react";
import { GENERIC_ERROR_MESSAGE, getJson, postJson } from "../api";
import { toast } from "../ui/sonner";
import type { Device } from "@/lib/session/devices";
import { withSession } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { Section } from "./Section";

/** One active session as GET /api/account/sessions lists it (a type-only import: nothing server-side ships). */
export type DeviceEntry = Device;

const ICONS: Record<string, typeof Monitor> = { mobile: Smartphone, tablet: Tablet, smarttv: Tv, wearable: Watch, desktop: Laptop };

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function deviceName(device: DeviceEntry): string {
  const what = device.browser ?? "Unknown browser";
  const where = device.os ?? device.deviceModel;
  return where ? `${what} on ${where}` : what;
}

/** "2 minutes ago", "just now": a last-active time is read relative to now. */
function relative(iso: string): string {
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86_400) return format.format(-Math.round(seconds / 3600), "hour");
  return format.format(-Math.round(seconds / 86_400), "day");
}

const noSubscription = () => () => {};

/**
 * True once hydrated: times are shown in the browser's own locale and time
 * zone, which the server does not know (rendering them there would mismatch).
 */
function useIsClient(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

/** A time in the browser's locale and zone; the ISO value until hydrated. */
function When({ iso, relativeTo }: { iso: string; relativeTo?: "now" | "relative" }) {
  const client = useIsClient();
  const date = new Date(iso);
  const absolute = client ? dateTime.format(date) : iso.slice(0, 16).replace("T", " ") + " UTC";
  const text = relativeTo === "now" ? "now" : relativeTo === "relative" && client ? relative(iso) : absolute;
  return (
    <time dateTime={iso} title={relativeTo ? absolute : undefined}>
      {text}
    </time>
  );
}

/**
 * Active devices (S2, S7): every browser signed in to this account, this one
 * first and marked; sign out one other device, or all of them at once. A
 * signed-out device loses its session at its next token refresh (within a
 * minute). No location column: that needs a local GeoIP database (none here).
 */
export function DevicesSection({ initialDevices }: { initialDevices: DeviceEntry[] }) {
  const [devices, setDevices] = useState(initialDevices);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const others = devices.filter((device) => !device.current);

  const reload = useCallback(async () => {
    const result = await withSession(() => getJson<{ devices: DeviceEntry[] }>("/api/account/sessions"));
    if (result.ok) setDevices(result.data.devices);
  }, []);

  async function signOut(device: DeviceEntry) {
    setBusy(device.sessionId);
    setError(null);
    const result = await withSession(() => postJson("/api/account/sessions/revoke", { sessionId: device.sessionId }));
    setBusy(null);
    if (!result.ok) {
      setError(result.formError ?? GENERIC_ERROR_MESSAGE);
      // Already gone (signed out elsewhere): show the list as it is now.
      if (result.status === 404) await reload();
      return;
    }
    setDevices((current) => current.filter((entry) => entry.sessionId !== device.sessionId));
    toast.success(`Signed out of ${deviceName(device)}`);
  }

  async function signOutOthers() {
    setBusy("others");
    setError(null);
    const result = await withSession(() => postJson<{ signedOut: number }>("/api/account/sessions/revoke-others", {}));
    setBusy(null);
    if (!result.ok) {
      setError(result.formError ?? GENERIC_ERROR_MESSAGE);
      return;
    }
    setDevices((current) => current.filter((entry) => entry.current));
    const count = result.data.signedOut;
    toast.success(`Signed out of ${count} other ${count === 1 ? "device" : "devices"}`);
  }

  return (
    <Section
      id="devices"
      title="Active devices"
      description="Browsers and devices signed in to your account. Sign out any you don’t recognise."
      error={error}
    >
      <ul aria-label="Active devices" className="divide-y divide-border">
        {devices.map((device) => {
          const Icon = ICONS[device.deviceType] ?? Monitor;
          const name = deviceName(device);
          return (
            <li key={device.sessionId} className="flex flex-wrap items-center gap-3 px-5 py-4 sm:px-6" data-testid="device">
              <Icon aria-hidden="true" className="size-5 shrink-0 text-muted-foreground" />
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-foreground">
                  <span>{name}</span>
                  {device.current ? (
                    <span className="inline-flex items-center rounded-full border border-success/40 px-2 py-0.5 text-xs font-medium text-success">
                      This device
                    </span>
                  ) : null}
                </p>
                <dl className="mt-0.5 flex flex-wrap gap-x-4 gap-y-0.5 text-sm text-muted-foreground">
                  <div className="flex gap-1">
                    <dt>IP</dt>
                    <dd>{device.ip ?? "unknown"}</dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Last active</dt>
                    <dd>
                      <When iso={device.lastActiveAt} relativeTo={device.current ? "now" : "relative"} />
                    </dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Signed in</dt>
                    <dd>
                      <When iso={device.createdAt} />
                    </dd>
                  </div>
                </dl>
              </div>
              {device.current ? null : (
                <ConfirmDialog
                  trigger={
                    <>
                      Sign out<span className="sr-only"> of {name}</span>
                    </>
                  }
                  title={`Sign out of ${name}?`}
                  description="That device will need to sign in again. It is signed out within a minute."
                  confirmLabel="Sign out"
                  loading={busy === device.sessionId}
                  onConfirm={() => signOut(device)}
                />
              )}
            </li>
          );
        })}
      </ul>
      {others.length > 0 ? (
        <div className="px-5 py-4 sm:px-6">
          <ConfirmDialog
            trigger="Sign out of all other devices"
            title="Sign out of all other devices?"
            description={`${others.length} other ${others.length === 1 ? "device" : "devices"} will need to sign in again. This device stays signed in.`}
            confirmLabel="Sign out everywhere else"
            loading={busy === "others"}
            onConfirm={signOutOthers}
          />
        </div>
      ) : (
        <p className="px-5 py-4 text-sm text-muted-foreground sm:px-6">You’re not signed in anywhere else.</p>
      )}
    </Section>
  );
}
