"use client";

import { TriangleAlert } from "lucide-react";
import { useId, useRef, useState, type FormEvent } from "react";
import { navigate, postJson } from "../api";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { TextField } from "../TextField";
import { Section } from "./Section";
import { StepUpProvider, useStepUp } from "./step-up";

const CONFIRMATION_WORD = "DELETE";

/**
 * Delete account (S7): type your email address (or DELETE) and confirm; the
 * step-up prompt asks who you are when the last verification is over 10
 * minutes old. The server deletes the account and its personal data, ends
 * every session and clears this browser's cookies; the browser then goes to
 * /sign-in. Brings its own step-up prompt, so it works at the bottom of any page.
 * `impersonating`: an admin acting as the user sees why it is not possible (the server refuses too).
 */
export function DeleteAccountSection(props: { email: string | null; impersonating?: boolean }) {
  return (
    <StepUpProvider>
      <DeleteAccount {...props} />
    </StepUpProvider>
  );
}

function DeleteAccount({ email, impersonating = false }: { email: string | null; impersonating?: boolean }) {
  const stepUp = useStepUp();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const warningId = useId();

  const expected = email ? `${email} or ${CONFIRMATION_WORD}` : CONFIRMATION_WORD;
  const matches =
    typed.trim() === CONFIRMATION_WORD || (email !== null && typed.trim().toLowerCase() === email.trim().toLowerCase());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (deleting) return;
    if (!matches) {
      setFieldError(`Type ${expected} to confirm.`);
      inputRef.current?.focus();
      return;
    }
    setDeleting(true);
    setFieldError(null);
    setFormError(null);
    const result = await stepUp(() =>
      postJson<{ status: "deleted"; redirectUrl: string }>("/api/account/delete", { confirmation: typed }, { fields: ["confirmation"] }),
    );
    if (result?.ok) {
      // Full navigation: the cookies are gone, middleware must see that.
      navigate(result.data.redirectUrl);
      return;
    }
    setDeleting(false);
    if (!result) return;
    setFieldError(result.fieldErrors.confirmation ?? null);
    setFormError(result.fieldErrors.confirmation ? null : result.formError);
    inputRef.current?.focus();
  }

  return (
    <Section
      id="delete-account"
      title="Delete account"
      description="Delete your account and everything in it. This cannot be undone."
    >
      <div className="px-5 py-4 sm:px-6">
        {impersonating ? (
          <p className="text-sm text-muted-foreground">An account cannot be deleted while you are impersonating its user.</p>
        ) : !open ? (
          <Button variant="secondary" className="text-destructive!" onClick={() => setOpen(true)}>
            Delete account…
          </Button>
        ) : (
          <form noValidate onSubmit={onSubmit} aria-busy={deleting || undefined} className="grid gap-3 sm:max-w-md">
            <div id={warningId} className="flex items-start gap-2 rounded-md border border-destructive/40 bg-destructive-surface px-3 py-2 text-sm text-destructive">
              <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
              <p>
                Your profile, email addresses, phone numbers, connected accounts, two-step verification and devices are deleted, and
                every device is signed out.
              </p>
            </div>
            <TextField
              ref={inputRef}
              id="delete-account-confirmation"
              name="confirmation"
              label={`Type ${expected} to confirm`}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              autoFocus
              value={typed}
              onChange={(event) => {
                setTyped(event.target.value);
                setFieldError(null);
              }}
              onKeyDown={(event) => {
                if (event.key === "Escape" && !deleting) setOpen(false);
              }}
              describedBy={warningId}
              error={fieldError}
            />
            <FormAlert message={formError} />
            <div className="flex flex-wrap gap-2">
              <Button
                type="submit"
                variant="primary"
                className="bg-destructive! text-background! hover:bg-destructive/90!"
                loading={deleting}
              >
                Delete my account
              </Button>
              <Button
                variant="ghost"
                disabled={deleting}
                onClick={() => {
                  setOpen(false);
                  setTyped("");
                  setFieldError(null);
                  setFormError(null);
                }}
              >
                Cancel
              </Button>
            </div>
          </form>
        )}
      </div>
    </Section>
  );
}
