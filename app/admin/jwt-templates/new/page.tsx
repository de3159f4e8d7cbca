import Link from "next/link";
import type { Metadata } from "next";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { JwtTemplateEditor, type EditorTemplate } from "@/app/_components/admin/jwt-templates/JwtTemplateEditor";
import type { SearchParams } from "@/app/_components/searchParams";
import { PRESETS, PRESET_IDS, isPresetId } from "@/lib/jwt-templates";
import { integrationUrls } from "@/lib/jwt-templates/page-urls";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "New JWT template" };

const BLANK_CLAIMS = '{\n  "aud": "my-service"\n}\n';

/** A new JWT template (S9): blank, or filled from a preset (?preset=supabase) and then editable. */
export default async function NewJwtTemplatePage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const requested = (await searchParams).preset;
  const presetId = isPresetId(requested) ? requested : null;
  const preset = presetId ? PRESETS[presetId] : null;
  const urls = await integrationUrls();
  const template: EditorTemplate = {
    id: null,
    name: preset?.name ?? "",
    lifetimeSeconds: preset?.lifetimeSeconds ?? 60,
    clockSkewSeconds: preset?.clockSkewSeconds ?? 5,
    claimsText: preset ? `${JSON.stringify(preset.claims, null, 2)}\n` : BLANK_CLAIMS,
    signing: { kind: preset?.signing ?? "instance", hasSecret: false, keyId: null, serviceAccountEmail: null },
    preset: presetId,
  };
  const choice = (href: string, label: string, current: boolean) => (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className="inline-flex h-9 items-center rounded-full border border-border px-3 text-sm font-medium text-foreground hover:bg-muted aria-[current=page]:border-brand aria-[current=page]:bg-brand/10"
    >
      {label}
    </Link>
  );
  return (
    <StepUpProvider>
      <PageHeader
        title="New JWT template"
        description={
          <Link href="/admin/jwt-templates" className="underline underline-offset-2">
            Back to JWT templates
          </Link>
        }
      />
      <nav aria-label="Start from" className="mb-6 flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium">Start from:</span>
        {choice("/admin/jwt-templates/new", "Blank", presetId === null)}
        {PRESET_IDS.map((id) => choice(`/admin/jwt-templates/new?preset=${id}`, PRESETS[id].label, presetId === id))}
      </nav>
      {preset ? <p className="mb-4 text-sm text-muted-foreground">{preset.summary}</p> : null}
      <JwtTemplateEditor key={presetId ?? "blank"} template={template} urls={urls} previewUser={{ id: admin.id, email: admin.email }} />
    </StepUpProvider>
  );
}
