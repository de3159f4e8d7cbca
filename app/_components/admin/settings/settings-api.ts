import type { AdminSettingsView } from "@/lib/settings";
import type { InvitationSummary } from "@/lib/users";
import { getJson, patchJson, postJson, withSession, type ApiResult } from "../../api";

/**
 * Calls to /api/admin/settings and /api/admin/invitations (S8). Saves go
 * through the caller's step-up (useStepUp), which also refreshes an expired
 * session token; reads through `withSession`.
 */
export type AdminSettings = AdminSettingsView;
export type VersionedAdminSettings = { settings: AdminSettings; version: number };
export type { InvitationSummary };

export const fetchAdminSettings = () => withSession(() => getJson<VersionedAdminSettings>("/api/admin/settings"));

/** One PATCH: the changed fields and the version they were based on (409 when someone saved in between). */
export function patchAdminSettings(
  version: number,
  patch: Partial<AdminSettings>,
  fields: readonly string[],
): Promise<ApiResult<VersionedAdminSettings>> {
  return patchJson<VersionedAdminSettings>("/api/admin/settings", { version, ...patch }, { fields });
}

export function createInvitation(email: string): Promise<ApiResult<{ invitation: InvitationSummary }>> {
  return withSession(() => postJson<{ invitation: InvitationSummary }>("/api/admin/invitations", { email }, { fields: ["email"] }));
}

export function revokeInvitation(id: string): Promise<ApiResult<{ invitation: InvitationSummary }>> {
  return withSession(() => postJson<{ invitation: InvitationSummary }>(`/api/admin/invitations/${encodeURIComponent(id)}/revoke`, {}));
}
