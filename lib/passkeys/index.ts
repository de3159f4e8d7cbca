import "server-only";
export {
  startPasskeyRegistration,
  finishPasskeyRegistration,
  passkeyAuthenticationOptions,
  verifyPasskeyAssertion,
  listPasskeys,
  renamePasskey,
  removePasskey,
  hasOtherWayToSignIn,
  relyingParty,
  PASSKEY_CHALLENGE_TTL_MS,
  type PasskeyContext,
  type PasskeySummary,
  type VerifiedPasskey,
} from "./passkeys";
