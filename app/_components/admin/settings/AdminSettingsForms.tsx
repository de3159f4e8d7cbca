"use client";

import { useCallback, useRef, useState } from "react";
import { StepUpProvider, useStepUp } from "../../account/step-up";
import { fetchAdminSettings, patchAdminSettings, type AdminSettings, type InvitationSummary, type VersionedAdminSettings } from "./settings-api";
import { same, SettingsContext, type SaveOutcome, type SettingsContextValue } from "./settings-context";
import { EmailLinksSection, PasskeysSection, PasswordsSection, SessionsSection, SignInMethodsSection } from "./sections";
import { SignUpSection } from "./SignUpSection";
import { BotProtectionSection } from "./BotProtectionSection";
import { AuthPagesSection, RedirectsSection, VerificationEmailsSection } from "./SignInExperienceSections";
import { IdentifiersSection } from "./IdentifiersSection";

/**
 * The admin settings forms (S8). Each section saves only its own fields with
 * PATCH, based on the settings version the page holds. When someone else saved
 * in between (409), the latest settings are fetched: if this section's fields
 * are unchanged there, the save is simply repeated on the new version;
 * otherwise the page shows the current values and says so, never overwriting
 * the other change. Saves go through step-up ("Confirm it's you").
 */
export function AdminSettingsForms({
  initial,
  oauthProviderCount,
  invitations,
  turnstileConfigured = false,
}: {
  initial: VersionedAdminSettings;
  /** TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY are set (S10); only the fact leaves the server. */
  turnstileConfigured?: boolean;
  /** Providers configured (settings or environment), for the OAuth switch's hint. */
  oauthProviderCount: number;
  invitations: InvitationSummary[];
}) {
  return (
    <StepUpProvider>
      <Sections initial={initial} oauthProviderCount={oauthProviderCount} invitations={invitations} turnstileConfigured={turnstileConfigured} />
    </StepUpProvider>
  );
}

function Sections({
  initial,
  oauthProviderCount,
  invitations,
  turnstileConfigured,
}: {
  initial: VersionedAdminSettings;
  oauthProviderCount: number;
  invitations: InvitationSummary[];
  turnstileConfigured: boolean;
}) {
  const stepUp = useStepUp();
  const [current, setCurrent] = useState(initial);
  // Bumped when values changed under the forms (another admin's save): the sections start again from them.
  const [generation, setGeneration] = useState(0);
  const currentRef = useRef(current);

  const adopt = useCallback((next: VersionedAdminSettings, reset: boolean) => {
    currentRef.current = next;
    setCurrent(next);
    if (reset) setGeneration((value) => value + 1);
  }, []);

  const save = useCallback<SettingsContextValue["save"]>(
    async (patch, keys, fields) => {
      const base = currentRef.current;
      const attempt = (version: number) => stepUp(() => patchAdminSettings(version, patch, fields));
      let result = await attempt(base.version);
      if (result && !result.ok && result.status === 409) {
        const latest = await fetchAdminSettings();
        if (!latest.ok) return result;
        const untouched = keys.every((key) => same(latest.data.settings[key], base.settings[key]));
        result = untouched ? await attempt(latest.data.version) : result;
        if (!untouched || (result && !result.ok && result.status === 409)) {
          adopt(latest.data, true);
          return { ok: false, status: "conflict" };
        }
      }
      if (result?.ok) {
        // Someone else's change to other sections came along: show it rather than keep stale drafts.
        const othersChanged = (Object.keys(result.data.settings) as (keyof AdminSettings)[]).some(
          (key) => !keys.includes(key) && !same(result.data.settings[key], base.settings[key]),
        );
        adopt(result.data, othersChanged);
      }
      return result;
    },
    [stepUp, adopt],
  );

  return (
    <SettingsContext value={{ settings: current.settings, save }}>
      <div key={generation} className="grid grid-cols-1 gap-6">
        <SignInMethodsSection oauthProviderCount={oauthProviderCount} />
        <IdentifiersSection />
        <PasskeysSection />
        <SignUpSection invitations={invitations} />
        <BotProtectionSection turnstileConfigured={turnstileConfigured} />
        <PasswordsSection />
        <SessionsSection />
        <EmailLinksSection />
        <VerificationEmailsSection />
        <RedirectsSection />
        <AuthPagesSection />
      </div>
    </SettingsContext>
  );
}

