import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { Avatar } from "@/app/_components/Avatar";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { AuditTable } from "@/app/_components/admin/AuditTable";
import { Badge } from "@/app/_components/admin/Badge";
import { displayName, formatDateTime } from "@/app/_components/admin/labels";
import { MetadataEditor } from "@/app/_components/admin/MetadataEditor";
import { Panel } from "@/app/_components/admin/PageHeader";
import { UserActions } from "@/app/_components/admin/UserActions";
import { UserPasskeys } from "@/app/_components/admin/UserPasskeys";
import { UserSessions } from "@/app/_components/admin/UserSessions";
import { getAdminUserDetail, listAuditEvents } from "@/lib/admin";
import { listPasskeys } from "@/lib/passkeys";
import { requireAdmin } from "@/lib/session/server";

type Params = Promise<{ userId: string }>;

export const metadata: Metadata = { title: "User" };

/** One user (S8): identifiers, connected accounts, sessions, metadata, actions and their audit trail. */
export default async function AdminUserPage({ params }: { params: Params }) {
  const admin = await requireAdmin();
  const { userId } = await params;
  const user = await getAdminUserDetail(userId);
  if (!user) notFound();
  const [trail, passkeys] = await Promise.all([listAuditEvents({ targetId: user.id, limit: 20 }), listPasskeys(user.id)]);
  const name = displayName({ ...user, email: user.email });
  const locked = Boolean(user.lockedUntil && new Date(user.lockedUntil) > new Date());

  return (
    <StepUpProvider>
      <Link href="/admin/users" className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft aria-hidden="true" className="size-4" /> Users
      </Link>
      <div className="mb-6 flex flex-wrap items-center gap-4">
        <Avatar user={user} />
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-foreground">{name}</h1>
          <p className="text-sm text-muted-foreground">
            {user.email ?? "No email"} · <code className="font-mono text-xs">{user.id}</code>
          </p>
        </div>
        <div className="flex flex-wrap gap-1">
          {user.role === "admin" ? <Badge tone="brand">Admin</Badge> : null}
          {user.banned ? <Badge tone="danger">Banned</Badge> : null}
          {locked ? <Badge tone="warning">Locked until {formatDateTime(user.lockedUntil)}</Badge> : null}
          {user.mfaEnabled ? <Badge tone="success">MFA on</Badge> : <Badge>MFA off</Badge>}
        </div>
      </div>

      <div className="grid grid-cols-1 gap-6">
        <Panel id="actions" title="Actions">
          <UserActions
            user={{ id: user.id, email: user.email, name, role: user.role, banned: user.banned, locked, mfaEnabled: user.mfaEnabled, isSelf: user.id === admin.id }}
          />
        </Panel>

        <Panel id="profile" title="Profile">
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <Field label="First name" value={user.firstName} />
            <Field label="Last name" value={user.lastName} />
            <Field label="Username" value={user.username} />
            <Field label="Created" value={formatDateTime(user.createdAt)} />
            <Field label="Last sign-in" value={formatDateTime(user.lastSignInAt)} />
          </dl>
        </Panel>

        <Panel id="identifiers" title="Email addresses and phone numbers">
          <ul className="grid gap-2 text-sm">
            {user.emailAddresses.map((address) => (
              <li key={address.id} className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{address.email}</span>
                {address.primary ? <Badge tone="brand">Primary</Badge> : null}
                {address.verified ? <Badge tone="success">Verified</Badge> : <Badge>Unverified</Badge>}
              </li>
            ))}
            {user.phoneNumbers.map((phone) => (
              <li key={phone.id} className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{phone.phoneNumber}</span>
                {phone.verified ? <Badge tone="success">Verified</Badge> : <Badge>Unverified</Badge>}
              </li>
            ))}
            {user.emailAddresses.length + user.phoneNumbers.length === 0 ? <li className="text-muted-foreground">None.</li> : null}
          </ul>
        </Panel>

        <Panel id="connected" title="Connected accounts">
          {user.externalAccounts.length ? (
            <ul className="grid gap-2 text-sm">
              {user.externalAccounts.map((account) => (
                <li key={account.id}>
                  <span className="font-medium capitalize">{account.provider}</span>
                  <span className="text-muted-foreground"> · {account.email ?? account.username ?? "no email"} · linked {formatDateTime(account.createdAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-muted-foreground">None.</p>
          )}
        </Panel>

        <Panel id="passkeys" title="Passkeys">
          <UserPasskeys
            userId={user.id}
            passkeys={passkeys.map((passkey) => ({
              id: passkey.id,
              name: passkey.name,
              createdAt: formatDateTime(passkey.createdAt),
              lastUsedAt: passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : null,
              backedUp: passkey.backedUp,
            }))}
          />
        </Panel>

        <Panel id="sessions" title="Active sessions">
          <UserSessions
            userId={user.id}
            sessions={user.activeSessions.map((session) => ({
              id: session.id,
              device: session.device,
              ip: session.ip,
              createdAt: formatDateTime(session.createdAt),
              lastActiveAt: formatDateTime(session.lastActiveAt),
              impersonated: Boolean(session.actorId),
            }))}
          />
        </Panel>

        <Panel id="metadata" title="Metadata" description="JSON objects of at most 8 KB each.">
          <MetadataEditor userId={user.id} metadata={user.metadata} version={user.metadataVersion} />
        </Panel>

        <section aria-labelledby="trail-heading" className="rounded-xl border border-border bg-card shadow-sm">
          <div className="flex items-center justify-between border-b border-border px-5 py-4">
            <h2 id="trail-heading" className="text-base font-semibold">
              Audit trail
            </h2>
            <Link href={`/admin/audit?target=${encodeURIComponent(user.id)}`} className="text-sm font-medium text-foreground underline-offset-2 hover:underline">
              All events
            </Link>
          </div>
          <AuditTable events={trail.events} caption={`Latest events about ${name}`} showTarget={false} />
        </section>
      </div>
    </StepUpProvider>
  );
}

function Field({ label, value }: { label: string; value: string | null }) {
  return (
    <div>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-medium text-foreground">{value || "—"}</dd>
    </div>
  );
}
