import type { JWTPayload } from "jose";

/** Session token claims (S2). `v` is the token format version. */
export type SessionClaims = JWTPayload & {
  iss: string;
  sub: string;
  sid: string;
  iat: number;
  nbf: number;
  exp: number;
  azp: string;
  role: "user" | "admin";
  /** The primary email address is verified. */
  email_verified?: boolean;
  v: 1;
  act?: { sub: string };
};

export const SESSION_TOKEN_VERSION = 1 as const;
