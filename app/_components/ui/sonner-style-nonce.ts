import { pageNonce } from "./style-nonce";

/**
 * Sonner appends its stylesheet to <head> as a <style> without a nonce while
 * its module is evaluated, which the production CSP refuses (unstyled toasts
 * and a violation report). Imported by ui/sonner.tsx right BEFORE "sonner":
 * until `stopStampingStyleNonce()` runs, a <style> appended to <head> gets
 * the page's nonce. Only <head>'s own appendChild is wrapped, only for that
 * moment, and only elements without a nonce are touched.
 */
const head: HTMLHeadElement | null = typeof document === "undefined" ? null : document.head;
const nonce = pageNonce();

if (head && nonce && !Object.prototype.hasOwnProperty.call(head, "appendChild")) {
  const append = head.appendChild;
  head.appendChild = function appendWithNonce<T extends Node>(this: HTMLHeadElement, node: T): T {
    if (node instanceof HTMLStyleElement && !node.nonce) node.setAttribute("nonce", nonce);
    return append.call(this, node) as T;
  };
}

export function stopStampingStyleNonce(): void {
  // Removing the own property brings back HTMLHeadElement's appendChild.
  if (head && Object.prototype.hasOwnProperty.call(head, "appendChild")) delete (head as { appendChild?: unknown }).appendChild;
}
