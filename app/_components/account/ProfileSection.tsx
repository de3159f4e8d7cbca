"use client";

import { Check } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { normalizeUsername, usernameProblem, USERNAME_MAX } from "@/lib/users/username";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { Spinner } from "../Spinner";
import { OptionalHint, TextField } from "../TextField";
import { useUser } from "../session/SessionProvider";
import { toast } from "../ui/sonner";
import { checkUsername, saveProfile, type AccountProfile } from "./profile-api";
import { Section } from "./Section";

type Fields = { firstName: string; lastName: string; username: string };
type UsernameState =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "available" }
  | { kind: "unavailable"; message: string };

/** Waits this long after the last keystroke before asking the server whether a username is free. */
const CHECK_DELAY_MS = 400;

const fromProfile = (profile: Pick<AccountProfile, "firstName" | "lastName" | "username">): Fields => ({
  firstName: profile.firstName ?? "",
  lastName: profile.lastName ?? "",
  username: profile.username ?? "",
});

/**
 * Name and username (S7), saved together by one request. The username is
 * checked as it is typed: its format here at once, whether it is free by a
 * debounced request; the server checks both again on save.
 */
export function ProfileSection({ profile }: { profile: Pick<AccountProfile, "firstName" | "lastName" | "username"> }) {
  const router = useRouter();
  const { refreshUser } = useUser();
  const [saved, setSaved] = useState<Fields>(() => fromProfile(profile));
  const [values, setValues] = useState<Fields>(saved);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof Fields, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [usernameState, setUsernameState] = useState<UsernameState>({ kind: "idle" });
  const [submitting, setSubmitting] = useState(false);
  const firstFieldRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  const typedUsername = normalizeUsername(values.username);
  const usernameChanged = typedUsername !== normalizeUsername(saved.username);
  const changed =
    values.firstName.trim() !== saved.firstName.trim() || values.lastName.trim() !== saved.lastName.trim() || usernameChanged;

  // The live check: only for a changed, well-formed username; a newer keystroke aborts the older request.
  useEffect(() => {
    if (!usernameChanged || typedUsername === "") {
      setUsernameState({ kind: "idle" });
      return;
    }
    const problem = usernameProblem(typedUsername);
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      if (problem) {
        setUsernameState({ kind: "unavailable", message: problem });
        return;
      }
      setUsernameState({ kind: "checking" });
      try {
        const result = await checkUsername(typedUsername, controller.signal);
        if (controller.signal.aborted) return;
        if (!result.ok) setUsernameState({ kind: "idle" }); // the save will say what is wrong
        else if (result.data.available) setUsernameState({ kind: "available" });
        else setUsernameState({ kind: "unavailable", message: result.data.message ?? "That username is not available." });
      } catch {
        // Aborted by a newer keystroke.
      }
    }, CHECK_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [typedUsername, usernameChanged]);

  function update(field: keyof Fields, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setFieldErrors((current) => ({ ...current, [field]: undefined }));
    setFormError(null);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const problem = typedUsername ? usernameProblem(typedUsername) : null;
    if (problem) {
      setFieldErrors((current) => ({ ...current, username: problem }));
      usernameRef.current?.focus();
      return;
    }
    setSubmitting(true);
    setFormError(null);
    const result = await saveProfile({ firstName: values.firstName, lastName: values.lastName, username: values.username });
    setSubmitting(false);
    if (result.ok) {
      const next = fromProfile(result.data.profile);
      setSaved(next);
      setValues(next);
      setFieldErrors({});
      setUsernameState({ kind: "idle" });
      toast.success("Profile saved");
      // The header (useUser) and the other tabs follow at once; server-rendered parts render again.
      void refreshUser();
      router.refresh();
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    if (result.fieldErrors.username) usernameRef.current?.focus();
    else if (result.fieldErrors.firstName || result.fieldErrors.lastName) firstFieldRef.current?.focus();
  }

  const usernameError = fieldErrors.username ?? (usernameState.kind === "unavailable" ? usernameState.message : null);

  return (
    <Section id="profile" title="Personal information" description="Your name and username, as others see them.">
      <form method="post" noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="grid gap-1 px-5 py-4 sm:px-6">
        <div className="grid gap-x-4 sm:grid-cols-2">
          <TextField
            ref={firstFieldRef}
            id="profile-first-name"
            name="firstName"
            label="First name"
            autoComplete="given-name"
            maxLength={100}
            value={values.firstName}
            onChange={(event) => update("firstName", event.target.value)}
            error={fieldErrors.firstName}
            labelAside={<OptionalHint />}
          />
          <TextField
            id="profile-last-name"
            name="lastName"
            label="Last name"
            autoComplete="family-name"
            maxLength={100}
            value={values.lastName}
            onChange={(event) => update("lastName", event.target.value)}
            error={fieldErrors.lastName}
            labelAside={<OptionalHint />}
          />
        </div>
        <TextField
          ref={usernameRef}
          id="profile-username"
          name="username"
          label="Username"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={USERNAME_MAX + 10}
          className="sm:max-w-sm"
          value={values.username}
          onChange={(event) => update("username", event.target.value)}
          error={usernameError}
          describedBy="profile-username-hint profile-username-status"
          labelAside={<OptionalHint />}
          below={
            <>
              <p id="profile-username-hint" className="mt-1.5 text-sm text-muted-foreground">
                3–30 characters: lowercase letters, digits, _ and -.
              </p>
              {/* Announced politely as the check finishes; the error line says why a name is refused. */}
              <p id="profile-username-status" aria-live="polite" className="mt-1 flex min-h-5 items-center gap-1.5 text-sm text-muted-foreground">
                {usernameState.kind === "checking" ? (
                  <>
                    <Spinner className="size-3.5" /> Checking…
                  </>
                ) : usernameState.kind === "available" ? (
                  <span className="flex items-center gap-1.5 text-success">
                    <Check aria-hidden="true" className="size-4" /> {typedUsername} is available
                  </span>
                ) : null}
              </p>
            </>
          }
        />
        <FormAlert message={formError} />
        <div className="mt-2 flex flex-wrap gap-3">
          <Button type="submit" loading={submitting} disabled={!changed || usernameState.kind === "unavailable"}>
            Save changes
          </Button>
          {changed ? (
            <Button
              variant="ghost"
              disabled={submitting}
              onClick={() => {
                setValues(saved);
                setFieldErrors({});
                setFormError(null);
              }}
            >
              Cancel
            </Button>
          ) : null}
        </div>
      </form>
    </Section>
  );
}
