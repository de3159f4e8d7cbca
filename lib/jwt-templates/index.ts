import "server-only";
export {
  listJwtTemplates,
  getJwtTemplate,
  createJwtTemplate,
  updateJwtTemplate,
  deleteJwtTemplate,
  type JwtTemplateView,
} from "./templates";
export { mintTemplateToken, previewTemplate, instanceIssuer, type TemplatePreview } from "./mint";
export { carriesSecret, signingKindOf, MIN_HS256_SECRET_BYTES, type SigningInput } from "./signing";
export {
  jwtTemplateInput,
  jwtTemplatePreviewInput,
  templateNameField,
  MIN_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_CLOCK_SKEW_SECONDS,
  type JwtTemplateInput,
  type JwtTemplatePreviewInput,
} from "./input";
export { checkClaimsText, renderClaims, jsonPath, SHORTCODES, RESERVED_CLAIMS, MAX_CLAIMS_BYTES, type ClaimsContext, type JsonObject } from "./claims";
export { PRESETS, PRESET_IDS, FIREBASE_AUDIENCE, FIREBASE_MAX_LIFETIME_SECONDS, isPresetId, type Preset, type PresetId, type SigningKind } from "./presets";
