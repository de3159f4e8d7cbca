/** Cookie names (S2). `__client` is the device's opaque token; `__session` the 60 s JWT. */
export const CLIENT_COOKIE = "__client";
export const SESSION_COOKIE = "__session";
/** Counts handshake redirects in a short window, to break redirect loops. */
export const HANDSHAKE_COUNT_COOKIE = "__handshake_count";
export const MAX_HANDSHAKE_REDIRECTS = 3;
