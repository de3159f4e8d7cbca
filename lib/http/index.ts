import "server-only";
export { handler, type HandlerContext } from "./handler";
export { errorResponse, json } from "./responses";
export { clientIp } from "./request-info";
export { assertSameOrigin, assertSameOriginAction, instanceOrigins } from "./origin";
export { allowedRedirect } from "./redirect";
export { emailField, passwordField, redirectUrlField, nameField, safeText, idField, tokenField, codeField } from "./schemas";
export { mediaType } from "./handler";
export { cachedImageResponse, ifNoneMatchHits, type StoredImage } from "./image-response";
