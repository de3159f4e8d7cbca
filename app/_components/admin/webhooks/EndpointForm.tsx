"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import type { ApiResult } from "../../api";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { FieldError, OptionalHint, TextField } from "../../TextField";
import { EVENT_DESCRIPTIONS, WEBHOOK_EVENT_TYPES, type EndpointFormValues } from "./webhooks-api";

/**
 * An endpoint's URL, description and event filter (S9), for "Add endpoint"
 * and the endpoint page's settings. Errors come back from the server per
 * field (the URL check, SSRF rule included, is the server's).
 */
export function EndpointForm<T>({
  idPrefix,
  initial,
  submitLabel,
  submit,
  onSaved,
  footer,
}: {
  idPrefix: string;
  initial: EndpointFormValues;
  submitLabel: string;
  submit: (values: EndpointFormValues) => Promise<ApiResult<T>>;
  onSaved: (data: T) => void;
  /** Extra buttons beside the submit button (e.g. Cancel). */
  footer?: ReactNode;
}) {
  const [values, setValues] = useState<EndpointFormValues>(initial);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ids = { url: `${idPrefix}-url`, description: `${idPrefix}-description`, events: `${idPrefix}-events` };

  function change(patch: Partial<EndpointFormValues>) {
    setValues((current) => ({ ...current, ...patch }));
    setFieldErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(patch)) delete next[key];
      return next;
    });
  }

  function toggle(type: string, checked: boolean) {
    const events = checked ? [...values.events, type] : values.events.filter((event) => event !== type);
    change({ events: WEBHOOK_EVENT_TYPES.filter((known) => events.includes(known)) });
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!values.url.trim()) {
      setFieldErrors({ url: "Enter the endpoint's URL." });
      return;
    }
    setSaving(true);
    setFormError(null);
    const result = await submit({ ...values, url: values.url.trim(), description: values.description.trim() });
    setSaving(false);
    if (result.ok) {
      onSaved(result.data);
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-1" aria-busy={saving || undefined}>
      <TextField
        id={ids.url}
        name="url"
        type="url"
        label="Endpoint URL"
        placeholder="https://api.example.com/webhooks/auth"
        autoComplete="off"
        spellCheck={false}
        value={values.url}
        error={fieldErrors.url}
        onChange={(event) => change({ url: event.target.value })}
      />
      <TextField
        id={ids.description}
        name="description"
        label="Description"
        labelAside={<OptionalHint />}
        placeholder="What receives these events"
        autoComplete="off"
        maxLength={500}
        value={values.description}
        error={fieldErrors.description}
        onChange={(event) => change({ description: event.target.value })}
      />
      <fieldset className="grid gap-2 pb-3" aria-describedby={`${ids.events}-hint${fieldErrors.events ? ` ${ids.events}-error` : ""}`}>
        <legend className="text-sm font-medium text-foreground">Events</legend>
        <p id={`${ids.events}-hint`} className="text-sm text-muted-foreground">
          None checked: every event, including types added later.
        </p>
        <div className="grid gap-2 sm:grid-cols-2">
          {WEBHOOK_EVENT_TYPES.map((type) => {
            const id = `${ids.events}-${type.replace(".", "-")}`;
            return (
              <div key={type} className="flex items-start gap-2">
                <input
                  id={id}
                  type="checkbox"
                  name="events"
                  value={type}
                  checked={values.events.includes(type)}
                  onChange={(event) => toggle(type, event.target.checked)}
                  aria-describedby={`${id}-hint`}
                  className="mt-0.5 size-4 shrink-0 accent-(--brand-primary)"
                />
                <div className="min-w-0 text-sm">
                  <label htmlFor={id} className="font-mono text-xs font-medium text-foreground">
                    {type}
                  </label>
                  <p id={`${id}-hint`} className="text-muted-foreground">
                    {EVENT_DESCRIPTIONS[type]}
                  </p>
                </div>
              </div>
            );
          })}
        </div>
        <FieldError id={`${ids.events}-error`} error={fieldErrors.events} />
      </fieldset>
      <FormAlert message={formError} />
      <div className="mt-2 flex flex-wrap justify-end gap-2">
        {footer}
        <Button type="submit" loading={saving}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
