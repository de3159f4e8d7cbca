import "server-only";
import KSUID from "ksuid";

/** Row id prefixes (SPEC S1). */
export const ID_PREFIX = {
  user: "user",
  session: "sess",
  client: "client",
  identification: "idn",
  externalAccount: "eac",
  verification: "ver",
  signingKey: "key",
  jwtTemplate: "jtmp",
  webhookEndpoint: "whe",
  webhookMessage: "msg",
  webhookAttempt: "wha",
  actorToken: "act",
  audit: "aud",
  signInAttempt: "sia",
  signUpAttempt: "sua",
  mfaFactor: "mfa",
  backupCode: "bkc",
  outbox: "out",
  apiKey: "ak",
  invitation: "inv",
  passkey: "pk",
  passkeyChallenge: "pkc",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** `<prefix>_<KSUID>`: 27 base62 characters, sortable by creation time. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${KSUID.randomSync().string}`;
}
