import type { Metadata } from "next";
import { AdminSettingsForms } from "@/app/_components/admin/settings/AdminSettingsForms";
import { BrandingSettings } from "@/app/_components/admin/settings/BrandingSettings";
import { PageHeader } from "@/app/_components/admin/PageHeader";
import { OAuthProvidersSettings } from "@/app/_components/admin/oauth/OAuthProvidersSettings";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { getConfig } from "@/lib/config";
import { configuredProviders } from "@/lib/oauth";
import { requireAdmin } from "@/lib/session/server";
import { getInstanceSettings, readAdminSettings } from "@/lib/settings";
import { listInvitations } from "@/lib/users";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

/**
 * Instance settings (S8): sign-in methods, sign-up, passwords, sessions,
 * email links, branding. Rendered with the values and version read now; each
 * section saves on its own (PATCH /api/admin/settings, step-up).
 */
export default async function AdminSettingsPage() {
  await requireAdmin();
  const [initial, invitations] = await Promise.all([readAdminSettings(), listInvitations()]);
  // Providers from the environment count too; only the number leaves the server.
  const oauthProviderCount = configuredProviders(await getInstanceSettings()).length;
  return (
    <>
      <PageHeader title="Settings" description="How people sign up and sign in to this instance. Saving asks you to confirm it’s you." />
      <div className="grid grid-cols-1 gap-6">
        <AdminSettingsForms
          initial={initial}
          oauthProviderCount={oauthProviderCount}
          invitations={invitations}
          turnstileConfigured={Boolean(getConfig().TURNSTILE_SITE_KEY && getConfig().TURNSTILE_SECRET_KEY)}
        />
        <StepUpProvider>
          <OAuthProvidersSettings />
        </StepUpProvider>
        <BrandingSettings />
      </div>
    </>
  );
}
