"use client";

import { createContext, use, useCallback, useState, type FormEvent, type ReactNode } from "react";
import { toast } from "@/app/_components/ui/sonner";
import type { ApiResult } from "../../api";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import type { AdminSettings, VersionedAdminSettings } from "./settings-api";

/** What the settings sections share (AdminSettingsForms provides it): the saved settings and the save flow. */
export type SaveOutcome = ApiResult<VersionedAdminSettings> | { ok: false; status: "conflict" } | null;

export type SettingsContextValue = {
  settings: AdminSettings;
  /** Saves `patch` (the fields `keys` of one section); null when the step-up prompt was cancelled. */
  save: (patch: Partial<AdminSettings>, keys: readonly (keyof AdminSettings)[], fields: readonly string[]) => Promise<SaveOutcome>;
};

export const SettingsContext = createContext<SettingsContextValue | null>(null);

export function useAdminSettings(): SettingsContextValue {
  const value = use(SettingsContext);
  if (!value) throw new Error("useAdminSettings() needs <AdminSettingsForms> above it");
  return value;
}

const CONFLICT_MESSAGE = "Someone else changed these settings in the meantime. The current values are shown; make your change again.";

/**
 * One section of the page: a card with a heading, its fields, a save button
 * (busy while saving, off while nothing changed) and the section's messages.
 * `useSectionSave` gives it the save flow.
 */
export function SettingsCard({
  id,
  title,
  description,
  children,
  dirty,
  saving,
  formError,
  onSubmit,
  after,
}: {
  id: string;
  title: string;
  description: ReactNode;
  children: ReactNode;
  dirty: boolean;
  saving: boolean;
  formError: string | null;
  onSubmit: () => void;
  /** Below the save button, outside the form (e.g. the invitations list). */
  after?: ReactNode;
}) {
  const headingId = `${id}-heading`;
  return (
    <section id={id} aria-labelledby={headingId} className="scroll-mt-20 rounded-xl border border-border bg-card text-card-foreground shadow-sm">
      <div className="border-b border-border px-5 py-4 sm:px-6">
        <h2 id={headingId} className="text-base font-semibold text-foreground">
          {title}
        </h2>
        <p className="mt-0.5 text-sm text-muted-foreground">{description}</p>
      </div>
      <form
        noValidate
        aria-busy={saving || undefined}
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (!saving) onSubmit();
        }}
        className="grid gap-5 px-5 py-5 sm:px-6"
      >
        {children}
        <FormAlert message={formError} />
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" loading={saving} disabled={!dirty}>
            Save {title.toLowerCase()}
          </Button>
          {!dirty && !saving ? <span className="text-sm text-muted-foreground">No unsaved changes.</span> : null}
        </div>
      </form>
      {after}
    </section>
  );
}

/**
 * The save flow of one section: validates locally (`validate` returns field
 * errors), PATCHes the section's fields, shows field errors inline and a toast
 * on success. Field errors are keyed by setting name.
 */
export function useSectionSave<K extends keyof AdminSettings>({
  title,
  keys,
  extraFields = [],
}: {
  title: string;
  keys: readonly K[];
  /** Error fields that belong to the section without being one of its settings (e.g. "signInMethods"). */
  extraFields?: readonly string[];
}) {
  const { save } = useAdminSettings();
  const [saving, setSaving] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = useCallback(
    /** The saved settings (normalized by the server), or null when nothing was saved. */
    async (patch: Pick<AdminSettings, K>, localErrors: Record<string, string> = {}): Promise<AdminSettings | null> => {
      setFormError(null);
      if (Object.keys(localErrors).length > 0) {
        setFieldErrors(localErrors);
        return null;
      }
      setFieldErrors({});
      setSaving(true);
      const result = await save(patch, keys, [...keys, ...extraFields] as string[]);
      setSaving(false);
      if (!result) return null; // step-up cancelled: nothing changed
      if (result.ok) {
        toast.success(`${title} saved`);
        return result.data.settings;
      }
      if (result.status === "conflict") {
        toast.warning(CONFLICT_MESSAGE);
        return null;
      }
      setFieldErrors(result.fieldErrors);
      setFormError(result.formError);
      return null;
    },
    [save, keys, extraFields, title],
  );

  const clearError = useCallback((field: string) => {
    setFieldErrors((errors) => (errors[field] ? { ...errors, [field]: "" } : errors));
  }, []);

  return { submit, saving, fieldErrors, formError, clearError };
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}
