"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { navigate, postJson, type ApiResult } from "../api";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { ConfirmDialog } from "../account/ConfirmDialog";
import { useStepUp } from "../account/step-up";
import { TextField } from "../TextField";
import { Dialog, DialogContent, DialogDescription, DialogTitle, DialogTrigger } from "../ui/dialog";
import { adminPost, userPath } from "./admin-api";

export type UserActionsTarget = {
  id: string;
  email: string | null;
  name: string;
  role: "user" | "admin";
  banned: boolean;
  locked: boolean;
  mfaEnabled: boolean;
  isSelf: boolean;
};

type Action = "ban" | "unban" | "lock" | "unlock" | "reset-mfa" | "impersonate";

const DONE: Record<Exclude<Action, "impersonate">, string> = {
  ban: "User banned and signed out everywhere.",
  unban: "User unbanned.",
  lock: "User locked.",
  unlock: "User unlocked.",
  "reset-mfa": "Two-step verification reset.",
};

/**
 * The user page's actions (S8): ban / unban, lock / unlock, reset MFA,
 * impersonate, delete. Each asks first; impersonation and deletion go
 * through step-up. The page re-renders from the server afterwards.
 */
export function UserActions({ user }: { user: UserActionsTarget }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(action: Action) {
    setBusy(action);
    setError(null);
    const call = () => postJson<{ redirectUrl?: string }>(userPath(user.id, action), {});
    const result: ApiResult<{ redirectUrl?: string }> | null = action === "impersonate" ? await stepUp(call) : await adminPost(userPath(user.id, action));
    if (result?.ok && action === "impersonate") {
      // A full navigation: the browser now holds the user's session.
      navigate(result.data.redirectUrl ?? "/");
      return;
    }
    setBusy(null);
    if (!result) return;
    if (!result.ok) {
      setError(result.formError ?? "That did not work.");
      return;
    }
    toast.success(DONE[action as Exclude<Action, "impersonate">]);
    router.refresh();
  }

  const protectedAccount = user.isSelf || user.role === "admin";
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap gap-2">
        {user.banned ? (
          <ConfirmDialog trigger="Unban" title={`Unban ${user.name}?`} description="They can sign in again." confirmLabel="Unban" loading={busy === "unban"} onConfirm={() => run("unban")} />
        ) : (
          <ConfirmDialog
            trigger="Ban"
            title={`Ban ${user.name}?`}
            description="Every session ends now and they cannot sign in until unbanned. Apps see the ban within a minute (one token lifetime)."
            confirmLabel="Ban user"
            loading={busy === "ban"}
            disabled={protectedAccount}
            onConfirm={() => run("ban")}
          />
        )}
        {user.locked ? (
          <ConfirmDialog trigger="Unlock" title={`Unlock ${user.name}?`} description="Password sign-in works again at once." confirmLabel="Unlock" loading={busy === "unlock"} onConfirm={() => run("unlock")} />
        ) : (
          <ConfirmDialog
            trigger="Lock"
            title={`Lock ${user.name}?`}
            description="Password sign-in from new browsers is refused for an hour; signed-in devices stay signed in."
            confirmLabel="Lock"
            loading={busy === "lock"}
            disabled={user.isSelf}
            onConfirm={() => run("lock")}
          />
        )}
        {user.mfaEnabled ? (
          <ConfirmDialog
            trigger="Reset MFA"
            title="Reset two-step verification?"
            description="Their authenticator app, text-message factor and backup codes are removed; they sign in with the first factor alone until they set it up again."
            confirmLabel="Reset"
            loading={busy === "reset-mfa"}
            onConfirm={() => run("reset-mfa")}
          />
        ) : null}
        <ConfirmDialog
          trigger="Impersonate"
          title={`Sign in as ${user.name}?`}
          description="You act as this user for up to an hour; a banner lets you stop at any time and return to your own session. Their own sessions are untouched; the audit log records who acted."
          confirmLabel="Impersonate"
          loading={busy === "impersonate"}
          disabled={protectedAccount || user.banned}
          onConfirm={() => run("impersonate")}
        />
        <DeleteUserDialog user={user} disabled={protectedAccount} />
      </div>
      {protectedAccount ? (
        <p className="text-sm text-muted-foreground">{user.isSelf ? "This is your own account: manage it from your account page." : "Admins cannot be banned, impersonated or deleted here; demote them first (npm run admin)."}</p>
      ) : null}
      <FormAlert message={error} />
    </div>
  );
}

function DeleteUserDialog({ user, disabled }: { user: UserActionsTarget; disabled: boolean }) {
  const stepUp = useStepUp();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const warningId = useId();
  const expected = user.email ?? user.id;
  const matches = typed.trim().toLowerCase() === expected.toLowerCase();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!matches) {
      setFieldError(`Type ${expected} to confirm.`);
      return;
    }
    setDeleting(true);
    setFormError(null);
    const result = await stepUp(() => postJson(userPath(user.id, "delete"), { confirmation: typed.trim() }, { fields: ["confirmation"] }));
    if (result?.ok) {
      toast.success(`${user.name} was deleted.`);
      navigate("/admin/users");
      return;
    }
    setDeleting(false);
    if (!result) return;
    setFieldError(result.fieldErrors.confirmation ?? null);
    setFormError(result.fieldErrors.confirmation ? null : result.formError);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (deleting) return;
        setOpen(next);
        if (!next) {
          setTyped("");
          setFieldError(null);
          setFormError(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" className="text-destructive!" disabled={disabled}>
          Delete…
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle className="text-lg font-semibold">Delete {user.name}?</DialogTitle>
        <DialogDescription id={warningId} className="text-sm text-muted-foreground">
          Their profile, email addresses, phone numbers, connected accounts, factors and sessions are deleted. This cannot be undone.
        </DialogDescription>
        <form noValidate onSubmit={onSubmit} className="grid gap-3" aria-busy={deleting || undefined}>
          <TextField
            id="admin-delete-confirmation"
            name="confirmation"
            label={`Type ${expected} to confirm`}
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => {
              setTyped(event.target.value);
              setFieldError(null);
            }}
            describedBy={warningId}
            error={fieldError}
          />
          <FormAlert message={formError} />
          <div className="flex justify-end gap-2">
            <Button type="submit" className="bg-destructive! text-background! hover:bg-destructive/90!" loading={deleting}>
              Delete user
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
