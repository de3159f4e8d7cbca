import "server-only";
export { beginAuthorization, completeAuthorization, forgetDiscoveredProviders, type AuthorizationStart, type AuthorizationResult } from "./protocol";
export { OAUTH_FLOW_TTL_MS, type OAuthFlowState } from "./flow-state";
export { OAuthFlowError, OAUTH_FAILURES, type OAuthFailure } from "./errors";
export { configuredProviders, findProvider, publicProvider, publicProviders, providerFrom, PROVIDER_PRESETS, type OAuthProvider, type PresetId, type PublicProvider, type ProviderMark } from "./providers";
export { saveOAuthProvider, oauthProviderInput, listOAuthProvidersForAdmin, type OAuthProviderInput, type AdminOAuthProvider } from "./settings";
export type { ProviderIdentity } from "./profiles";
export { formPostRedirect, formPostResponse, type FormPostResponse } from "./form-post";
