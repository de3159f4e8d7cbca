"use client";

import { useId, useState } from "react";
import { pick, same, SettingsCard, useAdminSettings, useSectionSave } from "./settings-context";
import { SwitchRow } from "./fields";
import { SelectField } from "./SignInExperienceSections";
import type { AdminSettings } from "./settings-api";

const BOT_KEYS = ["botProtection", "botChallengeDifficulty", "botChallengeSignIn", "botProvider", "blockDisposableEmails"] as const;

const DIFFICULTY_OPTIONS = [
  { value: "low", label: "Low (about 0.3 s on a phone)" },
  { value: "normal", label: "Normal (about 1 s on a phone)" },
  { value: "high", label: "High (about 3 s on a phone)" },
] as const satisfies readonly { value: AdminSettings["botChallengeDifficulty"]; label: string }[];

const SIGN_IN_OPTIONS = [
  { value: "risk", label: "When risk signals say so" },
  { value: "always", label: "Always" },
  { value: "never", label: "Never" },
] as const satisfies readonly { value: AdminSettings["botChallengeSignIn"]; label: string }[];

const PROVIDER_OPTIONS = [
  { value: "altcha", label: "Built-in proof of work (no third party)" },
  { value: "turnstile", label: "Cloudflare Turnstile" },
] as const satisfies readonly { value: AdminSettings["botProvider"]; label: string }[];

/**
 * Bot protection (S10): a check every sign-up passes without a person noticing,
 * when sign-ins and code emails meet it, and disposable email domains.
 */
export function BotProtectionSection({ turnstileConfigured }: { turnstileConfigured: boolean }) {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = pick(settings, BOT_KEYS);
  const [draft, setDraft] = useState(saved);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Bot protection", keys: BOT_KEYS });

  function set<K extends (typeof BOT_KEYS)[number]>(key: K, value: AdminSettings[K]) {
    setDraft((current) => ({ ...current, [key]: value }));
    clearError(key);
  }

  async function onSubmit() {
    const local: Record<string, string> = {};
    if (draft.botProvider === "turnstile" && !turnstileConfigured) {
      local.botProvider = "Set TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY in the environment first (then restart).";
    }
    const next = await submit(draft, local);
    if (next) setDraft(pick(next, BOT_KEYS));
  }

  return (
    <SettingsCard
      id="bot-protection"
      title="Bot protection"
      description="Stops scripted sign-ups and password guessing without a CAPTCHA to solve: the browser does a small piece of work in the background, and people never see a puzzle."
      dirty={!same(draft, saved)}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <SwitchRow
        id={`${id}-on`}
        label="Bot check"
        description="Every sign-up carries a solved check, worked out while the person types. Off lets scripts create accounts as fast as the rate limits allow."
        checked={draft.botProtection}
        onCheckedChange={(checked) => set("botProtection", checked)}
      />
      <SelectField
        id={`${id}-sign-in`}
        label="Check sign-ins and code emails"
        value={draft.botChallengeSignIn}
        options={SIGN_IN_OPTIONS}
        onChange={(value) => set("botChallengeSignIn", value)}
        error={fieldErrors.botChallengeSignIn}
        hint="Risk signals: an address or network using half of its sign-in or email budget, or five wrong passwords or codes from one network within an hour. A browser that has signed in to the account before is never checked, so someone who knows only an address cannot lock its owner out."
      />
      <SelectField
        id={`${id}-difficulty`}
        label="Difficulty"
        value={draft.botChallengeDifficulty}
        options={DIFFICULTY_OPTIONS}
        onChange={(value) => set("botChallengeDifficulty", value)}
        error={fieldErrors.botChallengeDifficulty}
        hint="How much work each check asks of the browser. Sign-up hides it while the person types; a challenged sign-in waits for it."
      />
      <SelectField
        id={`${id}-provider`}
        label="Check"
        value={draft.botProvider}
        options={PROVIDER_OPTIONS}
        onChange={(value) => set("botProvider", value)}
        error={fieldErrors.botProvider}
        hint={
          turnstileConfigured
            ? "Turnstile's keys are set in the environment. The built-in check needs no keys and sends nothing to anyone."
            : "Turnstile needs TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY in the environment. The built-in check needs no keys and sends nothing to anyone."
        }
      />
      <SwitchRow
        id={`${id}-disposable`}
        label="Refuse disposable email addresses"
        description="Sign-ups from throwaway-mail domains (a maintained list of about 120,000) are refused. Addresses and domains on the allowlist are always accepted."
        checked={draft.blockDisposableEmails}
        onCheckedChange={(checked) => set("blockDisposableEmails", checked)}
      />
    </SettingsCard>
  );
}
