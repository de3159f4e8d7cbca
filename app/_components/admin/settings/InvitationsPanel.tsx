"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FormAlert, Notice } from "../../Alert";
import { Button } from "../../Button";
import { TextField } from "../../TextField";
import { Badge } from "../Badge";
import { createInvitation, revokeInvitation, type AdminSettings, type InvitationSummary } from "./settings-api";

const STATUS: Record<InvitationSummary["status"], { label: string; tone: "brand" | "success" | "neutral" | "warning" }> = {
  pending: { label: "Pending", tone: "brand" },
  accepted: { label: "Accepted", tone: "success" },
  revoked: { label: "Revoked", tone: "neutral" },
  expired: { label: "Expired", tone: "warning" },
};

/** Dates as the server wrote them (UTC), so the page renders the same on server and client. */
const day = (iso: string) => iso.slice(0, 10);

/**
 * Invitations (S8): invite an address (the email goes out at once, valid 7
 * days, once; inviting again replaces the pending invitation) and withdraw
 * pending ones. They let people in while sign-ups are "by invitation".
 */
export function InvitationsPanel({ initial, mode }: { initial: InvitationSummary[]; mode: AdminSettings["signUpMode"] }) {
  const id = useId();
  const [invitations, setInvitations] = useState(initial);
  const [email, setEmail] = useState("");
  const [emailError, setEmailError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  async function onInvite(event: FormEvent) {
    event.preventDefault();
    if (sending) return;
    const address = email.trim();
    setFormError(null);
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
      setEmailError(address ? "Enter a valid email address." : "Enter the email address to invite.");
      return emailRef.current?.focus();
    }
    setEmailError(null);
    setSending(true);
    const result = await createInvitation(address);
    setSending(false);
    if (!result.ok) {
      setEmailError(result.fieldErrors.email ?? null);
      setFormError(result.fieldErrors.email ? null : result.formError);
      return emailRef.current?.focus();
    }
    const created = result.data.invitation;
    // The server withdrew this address's pending invitation: its old link no longer works.
    setInvitations((current) => [
      created,
      ...current.map((row) =>
        row.status === "pending" && row.email.toLowerCase() === created.email.toLowerCase() ? { ...row, status: "revoked" as const } : row,
      ),
    ]);
    setEmail("");
    toast.success(`Invitation sent to ${created.email}`);
  }

  async function onRevoke(invitation: InvitationSummary) {
    if (revoking) return;
    setRevoking(invitation.id);
    setListError(null);
    const result = await revokeInvitation(invitation.id);
    setRevoking(null);
    if (!result.ok) return setListError(result.formError);
    setInvitations((current) => current.map((row) => (row.id === invitation.id ? result.data.invitation : row)));
    toast.success(`Invitation for ${invitation.email} revoked`);
  }

  return (
    <div className="grid gap-4 border-t border-border px-5 py-5 sm:px-6" aria-labelledby={`${id}-heading`} role="region">
      <div>
        <h3 id={`${id}-heading`} className="text-sm font-semibold text-foreground">
          Invitations
        </h3>
        <p className="mt-0.5 text-sm text-muted-foreground">
          An invitation emails a sign-up link for one address, valid for 7 days and usable once.
        </p>
      </div>
      {mode !== "invitation" ? (
        <Notice>Invitations let people in while sign-ups are “By invitation”; in the current mode they are not needed to sign up.</Notice>
      ) : null}
      <form onSubmit={onInvite} noValidate aria-busy={sending || undefined} className="flex flex-wrap items-start gap-3">
        <TextField
          ref={emailRef}
          id={`${id}-email`}
          label="Email address to invite"
          type="email"
          inputMode="email"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setEmailError(null);
          }}
          error={emailError}
          className="min-w-64 flex-1"
        />
        <Button type="submit" variant="secondary" loading={sending} className="mt-7">
          Send invitation
        </Button>
      </form>
      <FormAlert message={formError} />

      {invitations.length === 0 ? (
        <p className="text-sm text-muted-foreground">No invitations yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Invitations, newest first</caption>
            <thead className="text-muted-foreground">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">Email</th>
                <th scope="col" className="py-2 pr-4 font-medium">Status</th>
                <th scope="col" className="py-2 pr-4 font-medium">Sent</th>
                <th scope="col" className="py-2 pr-4 font-medium">Expires</th>
                <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id} className="border-t border-border">
                  <td className="max-w-64 truncate py-2 pr-4 text-foreground" title={invitation.email}>{invitation.email}</td>
                  <td className="py-2 pr-4"><Badge tone={STATUS[invitation.status].tone}>{STATUS[invitation.status].label}</Badge></td>
                  <td className="py-2 pr-4 tabular-nums">{day(invitation.createdAt)}</td>
                  <td className="py-2 pr-4 tabular-nums">{invitation.status === "pending" ? day(invitation.expiresAt) : "—"}</td>
                  <td className="py-2 text-right">
                    {invitation.status === "pending" ? (
                      <Button
                        variant="ghost"
                        className="h-8 px-2"
                        loading={revoking === invitation.id}
                        disabled={revoking !== null && revoking !== invitation.id}
                        onClick={() => void onRevoke(invitation)}
                        aria-label={`Revoke the invitation for ${invitation.email}`}
                      >
                        Revoke
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormAlert message={listError} />
    </div>
  );
}
