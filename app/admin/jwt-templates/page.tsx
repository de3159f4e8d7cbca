import Link from "next/link";
import type { Metadata } from "next";
import { Badge } from "@/app/_components/admin/Badge";
import { CopyField } from "@/app/_components/admin/CopyButton";
import { formatDateTime } from "@/app/_components/admin/labels";
import { PageHeader, Panel } from "@/app/_components/admin/PageHeader";
import { PRESETS, PRESET_IDS, listJwtTemplates, type SigningKind } from "@/lib/jwt-templates";
import { integrationUrls } from "@/lib/jwt-templates/page-urls";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "JWT templates" };

const SIGNING_LABELS: Record<SigningKind, string> = {
  instance: "ES256 · instance key",
  hs256: "HS256 · shared secret",
  rs256: "RS256 · your key",
  firebase: "Firebase custom token",
};

const linkButton = "inline-flex h-10 items-center rounded-md px-4 text-sm font-semibold shadow-sm";

/** JWT templates (S9): tokens shaped for other services, fetched with getToken({ template }). */
export default async function JwtTemplatesPage() {
  await requireAdmin();
  const [templates, urls] = await Promise.all([listJwtTemplates(), integrationUrls()]);
  return (
    <>
      <PageHeader
        title="JWT templates"
        description={
          <>
            Tokens shaped for another service (Supabase, Hasura, Convex, Firebase...). Signed-in pages get one with{" "}
            <code className="font-mono text-xs">getToken({"{ template: \"name\" }"})</code>; backends through the API.
          </>
        }
        actions={
          <Link href="/admin/jwt-templates/new" className={`${linkButton} bg-brand text-brand-foreground hover:bg-brand-hover`}>
            New template
          </Link>
        }
      />
      <div className="grid gap-6">
        <div tabIndex={0} role="region" aria-label="JWT templates table" className="overflow-x-auto rounded-xl border border-border bg-card shadow-sm focus-visible:outline-2 focus-visible:outline-ring">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <caption className="sr-only">JWT templates</caption>
            <thead className="border-b border-border text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">Name</th>
                <th scope="col" className="px-4 py-3 font-medium">Signing</th>
                <th scope="col" className="px-4 py-3 font-medium">Lifetime</th>
                <th scope="col" className="px-4 py-3 font-medium">Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {templates.length === 0 ? (
                <tr>
                  <td colSpan={4} className="px-4 py-6 text-center text-muted-foreground">
                    No templates yet. Start from a preset below or a blank one.
                  </td>
                </tr>
              ) : null}
              {templates.map((template) => (
                <tr key={template.id}>
                  <td className="px-4 py-3">
                    <Link href={`/admin/jwt-templates/${template.id}`} className="font-medium text-foreground underline-offset-2 hover:underline">
                      {template.name}
                    </Link>{" "}
                    {template.preset ? <Badge tone="brand">{PRESETS[template.preset].label}</Badge> : null}
                  </td>
                  <td className="px-4 py-3 text-muted-foreground">{SIGNING_LABELS[template.signing.kind]}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{template.lifetimeSeconds} s</td>
                  <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{formatDateTime(template.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <Panel id="presets" title="Start from a preset" description="A preset fills in the new template; everything stays editable.">
          <ul className="grid gap-3 sm:grid-cols-2">
            {PRESET_IDS.map((id) => (
              <li key={id} className="rounded-lg border border-border p-3">
                <Link href={`/admin/jwt-templates/new?preset=${id}`} className="font-medium text-foreground underline underline-offset-2">
                  {PRESETS[id].label}
                </Link>
                <p className="mt-1 text-sm text-muted-foreground">{PRESETS[id].summary}</p>
              </li>
            ))}
          </ul>
        </Panel>

        <Panel id="urls" title="For the services you connect">
          <div className="grid gap-4">
            <CopyField label="Issuer" value={urls.issuer} />
            <CopyField label="JWKS URL" value={urls.jwksUrl} />
            <CopyField label="OpenID discovery URL" value={urls.discoveryUrl} />
          </div>
        </Panel>
      </div>
    </>
  );
}
