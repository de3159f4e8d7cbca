import crypto from "node:crypto";
import { encodeCBOR } from "@levischuck/tiny-cbor";

/**
 * A software WebAuthn authenticator for tests: an ES256 key pair, "none"
 * attestation, user presence and verification flags as asked. It builds the
 * same bytes a browser and an authenticator would (authenticatorData,
 * clientDataJSON, CBOR attestation object), so the server's real library
 * verifies them.
 */
const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => crypto.createHash("sha256").update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export type AuthenticatorOptions = { origin?: string; rpId?: string; userVerified?: boolean };

export class SoftwareAuthenticator {
  readonly credentialId = crypto.randomBytes(16);
  private readonly keys = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  counter = 0;
  /** The user handle given at registration (returned when signing in). */
  userHandle: string | null = null;

  constructor(private readonly defaults: { origin: string; rpId: string } = { origin: "http://localhost:3000", rpId: "localhost" }) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  private cosePublicKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    return encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
      ]),
    );
  }

  private authenticatorData(rpId: string, flags: number, attested?: Uint8Array): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [Buffer.from(attested)] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private flags(options: AuthenticatorOptions): number {
    return FLAG_UP | ((options.userVerified ?? true) ? FLAG_UV : 0);
  }

  /** navigator.credentials.create() for these options (the JSON @simplewebauthn/browser would send). */
  register(creation: { challenge: string; user: { id: string } }, options: AuthenticatorOptions = {}) {
    const rpId = options.rpId ?? this.defaults.rpId;
    const origin = options.origin ?? this.defaults.origin;
    this.userHandle = creation.user.id;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(this.cosePublicKey())]);
    const authData = this.authenticatorData(rpId, this.flags(options) | FLAG_AT, attested);
    const attestationObject = encodeCBOR(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", creation.challenge, origin)),
        attestationObject: b64url(attestationObject),
        transports: ["internal" as const],
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() for these options; the counter grows by one unless told otherwise. */
  authenticate(request: { challenge: string }, options: AuthenticatorOptions & { userHandle?: string; counter?: number } = {}) {
    const rpId = options.rpId ?? this.defaults.rpId;
    const origin = options.origin ?? this.defaults.origin;
    this.counter = options.counter ?? this.counter + 1;
    const authData = this.authenticatorData(rpId, this.flags(options));
    const clientDataJSON = this.clientData("webauthn.get", request.challenge, origin);
    const signature = crypto.sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), this.keys.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: options.userHandle ?? this.userHandle ?? undefined,
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }
}
