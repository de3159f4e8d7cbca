/**
 * Ready-made templates for services that take our tokens (S9). A preset only
 * fills the new-template form; the template is then the admin's to edit.
 * Pure data: the admin's form imports it too.
 */
import type { JsonObject } from "./claims";

export type SigningKind = "instance" | "hs256" | "rs256" | "firebase";
export type PresetId = "supabase" | "hasura" | "convex" | "firebase";

export type Preset = {
  id: PresetId;
  label: string;
  /** One line for the preset picker. */
  summary: string;
  name: string;
  lifetimeSeconds: number;
  clockSkewSeconds: number;
  claims: JsonObject;
  signing: SigningKind;
};

/** Firebase custom tokens (signInWithCustomToken): this audience, at most 1 h. */
export const FIREBASE_AUDIENCE = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit";
export const FIREBASE_MAX_LIFETIME_SECONDS = 3600;

export const PRESETS: Record<PresetId, Preset> = {
  supabase: {
    id: "supabase",
    label: "Supabase",
    summary: "HS256 with your project's JWT secret; role and aud \"authenticated\" for row level security.",
    name: "supabase",
    lifetimeSeconds: 60,
    clockSkewSeconds: 5,
    claims: {
      aud: "authenticated",
      role: "authenticated",
      email: "{{user.primary_email_address}}",
      app_metadata: "{{user.public_metadata}}",
      user_metadata: "{{user.public_metadata}}",
    },
    signing: "hs256",
  },
  hasura: {
    id: "hasura",
    label: "Hasura",
    summary: "Hasura's claims namespace, verified by Hasura through the JWKS URL.",
    name: "hasura",
    lifetimeSeconds: 60,
    clockSkewSeconds: 5,
    claims: {
      "https://hasura.io/jwt/claims": {
        "x-hasura-allowed-roles": ["user"],
        "x-hasura-default-role": "user",
        "x-hasura-user-id": "{{user.id}}",
      },
    },
    signing: "instance",
  },
  convex: {
    id: "convex",
    label: "Convex",
    summary: "aud \"convex\", ES256; Convex finds the keys through OpenID discovery.",
    name: "convex",
    lifetimeSeconds: 60,
    clockSkewSeconds: 5,
    claims: {
      aud: "convex",
      name: "{{user.full_name}}",
      email: "{{user.primary_email_address}}",
      email_verified: "{{user.email_verified}}",
      picture: "{{user.image_url}}",
    },
    signing: "instance",
  },
  firebase: {
    id: "firebase",
    label: "Firebase",
    summary: "A custom token for signInWithCustomToken, signed with your service account's key (at most 1 hour).",
    name: "firebase",
    lifetimeSeconds: FIREBASE_MAX_LIFETIME_SECONDS,
    clockSkewSeconds: 0,
    claims: {},
    signing: "firebase",
  },
};

export const PRESET_IDS = Object.keys(PRESETS) as PresetId[];

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === "string" && Object.hasOwn(PRESETS, value);
}
