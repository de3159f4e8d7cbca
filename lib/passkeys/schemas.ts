import { z } from "zod";

/**
 * The JSON shapes @simplewebauthn/browser sends (WebAuthn Level 3
 * `toJSON()`): only their outline is checked here, with bounded sizes; the
 * library verifies the content.
 */
const b64url = (max: number) => z.string().min(1).max(max).regex(/^[\w-]+$/, "Not base64url.");
const extensions = z.record(z.string(), z.unknown()).default({});
const attachment = z.enum(["platform", "cross-platform"]).optional();

export const registrationResponseSchema = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16_384),
    authenticatorData: b64url(8192).optional(),
    transports: z.array(z.enum(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"])).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(2048).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

export const authenticationResponseSchema = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(8192),
    signature: b64url(1024),
    userHandle: b64url(256).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

export const passkeyNameField = z.string().trim().min(1, "Give the passkey a name.").max(64, "At most 64 characters.");

export const securityKeyNameField = z.string().trim().min(1, "Give the security key a name.").max(64, "At most 64 characters.");
