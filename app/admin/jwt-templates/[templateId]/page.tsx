import Link from "next/link";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { Badge } from "@/app/_components/admin/Badge";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { JwtTemplateEditor, type EditorTemplate } from "@/app/_components/admin/jwt-templates/JwtTemplateEditor";
import { PRESETS, getJwtTemplate } from "@/lib/jwt-templates";
import { integrationUrls } from "@/lib/jwt-templates/page-urls";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "JWT template" };

/** One JWT template (S9): edit, preview for a user, delete. */
export default async function JwtTemplatePage({ params }: { params: Promise<{ templateId: string }> }) {
  const admin = await requireAdmin();
  const { templateId } = await params;
  const found = /^[a-z]+_[0-9A-Za-z]{1,40}$/.test(templateId) ? await getJwtTemplate(templateId) : null;
  if (!found) notFound();
  const urls = await integrationUrls();
  const template: EditorTemplate = {
    id: found.id,
    name: found.name,
    lifetimeSeconds: found.lifetimeSeconds,
    clockSkewSeconds: found.clockSkewSeconds,
    claimsText: `${JSON.stringify(found.claims, null, 2)}\n`,
    signing: found.signing,
    preset: found.preset,
  };
  return (
    <StepUpProvider>
      <PageHeader
        title={found.name}
        description={
          <>
            <Link href="/admin/jwt-templates" className="underline underline-offset-2">
              JWT templates
            </Link>{" "}
            {found.preset ? <Badge tone="brand">{`From the ${PRESETS[found.preset].label} preset`}</Badge> : null}
          </>
        }
      />
      {/* Keyed by the saved version: after a save the form starts from what was stored. */}
      <JwtTemplateEditor key={found.updatedAt.toISOString()} template={template} urls={urls} previewUser={{ id: admin.id, email: admin.email }} />
    </StepUpProvider>
  );
}
