/**
 * Production CSP allows a <style> element only with the page's nonce
 * (lib/edge/security-headers.ts: no 'unsafe-inline'). react-remove-scroll,
 * which radix dialogs and menus use to lock page scroll, adds one when a
 * dialog opens; it takes its nonce from get-nonce, which reads the global
 * `__webpack_nonce__`. Sonner adds one when its module loads: see
 * sonner-style-nonce.ts.
 */

/**
 * The page's nonce. Next.js stamps it on its scripts; browsers hide the
 * attribute's value but keep it readable as `.nonce`.
 */
export function pageNonce(): string | undefined {
  if (typeof document === "undefined") return undefined;
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce || undefined;
}

/** Lets get-nonce (react-remove-scroll's style tag) see the page's nonce. Call before a dialog or menu opens. */
export function shareNonceWithScrollLock(): void {
  const nonce = pageNonce();
  if (nonce) (globalThis as { __webpack_nonce__?: string }).__webpack_nonce__ = nonce;
}
