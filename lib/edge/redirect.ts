/**
 * Open-redirect protection (S10): a redirect_url may be a same-site relative
 * path or an absolute URL on an allow-listed origin. Anything else (protocol-
 * relative `//evil`, `javascript:`, backslash tricks, other origins) falls
 * back to `fallback`.
 */
export function safeRedirectUrl(
  candidate: string | null | undefined,
  options: { allowedOrigins?: readonly string[]; fallback?: string } = {},
): string {
  const fallback = options.fallback ?? "/";
  if (!candidate || candidate.length > 2048) return fallback;
  const value = candidate.trim();
  // Relative paths: exactly one leading slash, no backslashes or control characters.
  if (value.startsWith("/")) {
    if (value.startsWith("//") || /[\\\u0000-\u001f]/.test(value)) return fallback;
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fallback;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fallback;
  return options.allowedOrigins?.includes(url.origin) ? url.toString() : fallback;
}
