"use client";

import { useId, useState } from "react";
import { GroupError, SwitchRow } from "./fields";
import { same, SettingsCard, useAdminSettings, useSectionSave } from "./settings-context";

/** Mirrors lib/settings/settings.ts: checked here first, the server checks again. */
const NEED_EMAIL_OR_PHONE = "Keep email or phone numbers on: every account needs one of them.";

const KEYS = ["identifiers"] as const;

/**
 * Identifiers (issue 19, S1): what people sign up and sign in with. Phone
 * numbers get SMS codes through the SMS provider; usernames sign in with a
 * password (people choose theirs on the account page).
 */
export function IdentifiersSection() {
  const id = useId();
  const { settings } = useAdminSettings();
  const saved = settings.identifiers;
  const [draft, setDraft] = useState(saved);
  const { submit, saving, fieldErrors, formError, clearError } = useSectionSave({ title: "Identifiers", keys: KEYS });

  const set = (key: keyof typeof draft) => (checked: boolean) => {
    setDraft((current) => ({ ...current, [key]: checked }));
    clearError("identifiers");
  };

  async function onSubmit() {
    const next = await submit({ identifiers: draft }, !draft.email && !draft.phone ? { identifiers: NEED_EMAIL_OR_PHONE } : {});
    if (next) setDraft(next.identifiers);
  }

  return (
    <SettingsCard
      id="identifiers"
      title="Identifiers"
      description="What people sign up and sign in with. Sign-in and sign-up forms offer “Use phone” / “Use email” when both are on."
      dirty={!same(draft, saved)}
      saving={saving}
      formError={formError}
      onSubmit={onSubmit}
    >
      <fieldset className="grid gap-4" aria-describedby={fieldErrors.identifiers ? `${id}-error` : undefined}>
        <legend className="sr-only">Identifiers</legend>
        <SwitchRow
          id={`${id}-email`}
          label="Email address"
          description="Sign up with an email address. Off, new accounts sign up by phone; accounts that have an address keep signing in with it."
          checked={draft.email}
          onCheckedChange={set("email")}
        />
        <SwitchRow
          id={`${id}-phone`}
          label="Phone number"
          description={
            <>
              Sign up, sign in and reset a password with a 6-digit code by text message; people add numbers on their account page. Texts
              cost money: they have the same limits as email codes, plus a per-network limit. Needs an SMS provider (TWILIO_*); without one,
              codes land in the dev SMS outbox only.
            </>
          }
          checked={draft.phone}
          onCheckedChange={set("phone")}
        />
        <SwitchRow
          id={`${id}-username`}
          label="Username"
          description="Sign in with a username and password, typed in the email field. People choose their username on their profile page."
          checked={draft.username}
          onCheckedChange={set("username")}
        />
        <GroupError id={`${id}-error`} error={fieldErrors.identifiers} />
      </fieldset>
    </SettingsCard>
  );
}
