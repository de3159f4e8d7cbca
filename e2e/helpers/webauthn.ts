import type { Page } from "@playwright/test";

/**
 * Chromium's virtual authenticator (DevTools protocol): a platform passkey
 * with user verification, as a phone or laptop would offer. Without one,
 * this Chromium has no platform authenticator (so no passkey is offered after
 * a password sign-in, S13).
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
}

/**
 * A roaming security key (USB, CTAP2) in Chromium's virtual authenticator: no
 * resident credentials, no user verification, touched automatically, as a
 * plain FIDO key answers a second-factor request.
 */
export async function addVirtualSecurityKey(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "usb", hasResidentKey: false, hasUserVerification: false, automaticPresenceSimulation: true },
  });
}
