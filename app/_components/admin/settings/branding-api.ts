import { getJson, withSession, type ApiResult } from "../../api";
import { sendRequest } from "../../account/profile-api";
import type { Theme } from "@/lib/branding/palette";

/** The branding part of GET/PATCH /api/admin/settings (S8). */
export type BrandingValues = { instanceName: string; brandColor: string; theme: Theme };
export type BrandingSettingsResponse = { settings: BrandingValues; version: number };
/** GET/POST /api/admin/branding/logo. */
export type BrandLogo = { url: string; width: number; height: number };

export const BRANDING_FIELDS = ["instanceName", "brandColor", "theme"] as const;

export const fetchBrandingSettings = () => withSession(() => getJson<BrandingSettingsResponse>("/api/admin/settings"));

export const fetchBrandLogo = () => withSession(() => getJson<{ logo: BrandLogo | null }>("/api/admin/branding/logo"));

/** One call: run it through step-up (useStepUp), which also refreshes an expired session token. */
export function saveBrandingSettings(version: number, values: BrandingValues): Promise<ApiResult<BrandingSettingsResponse>> {
  return sendRequest<BrandingSettingsResponse>(
    "/api/admin/settings",
    { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ version, ...values }) },
    BRANDING_FIELDS,
  );
}

/** One call: run it through step-up (useStepUp). */
export function uploadBrandLogo(file: File): Promise<ApiResult<{ logo: BrandLogo }>> {
  const form = new FormData();
  form.set("file", file, file.name);
  return sendRequest<{ logo: BrandLogo }>("/api/admin/branding/logo", { method: "POST", body: form }, ["file"]);
}

/** One call: run it through step-up (useStepUp). */
export const removeBrandLogo = () => sendRequest<{ logo: null }>("/api/admin/branding/logo", { method: "DELETE" }, []);
