// Test helper (imported by *.test.ts only): password digests as other systems export them,
// made with each hasher's own library (never copied strings), at low costs.
import crypto from "node:crypto";
import { hash as argon2Hash, type Algorithm } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { firebaseScryptHash, type PasswordHasher } from "../imported-hashes";

const b64 = (bytes: Buffer) => bytes.toString("base64");
const unpadded = (bytes: Buffer) => b64(bytes).replace(/=+$/, "");

// @node-rs/argon2's Algorithm is a const enum (not importable under isolatedModules): its values are 1 = Argon2i, 2 = Argon2id.
const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

/** `password` as each old system stores it, keyed by a name for the case (several per hasher). */
export async function exportedDigests(password: string): Promise<Record<string, { hasher: PasswordHasher; digest: string }>> {
  const salt = crypto.randomBytes(16);
  const scryptHash = crypto.scryptSync(password, salt, 32, { N: 2 ** 10, r: 8, p: 1 });
  const werkzeugSalt = "Xq3bRz9TmKf2LpWa";
  const werkzeugHash = crypto.scryptSync(password, werkzeugSalt, 64, { N: 2 ** 10, r: 8, p: 1 });
  const pbkdf2Hash = crypto.pbkdf2Sync(password, salt, 1000, 32, "sha256");
  const djangoSalt = "seasalt8CharsLong";
  const djangoHash = crypto.pbkdf2Sync(password, djangoSalt, 1000, 32, "sha256");
  const firebase = { salt: crypto.randomBytes(12), saltSeparator: Buffer.from("Bw==", "base64"), signerKey: crypto.randomBytes(64), rounds: 8, memCost: 10 };
  const firebaseHash = await firebaseScryptHash(password, firebase);
  return {
    bcrypt_2a: { hasher: "bcrypt", digest: bcrypt.hashSync(password, 5).replace(/^\$2b\$/, "$2a$") },
    bcrypt_2y: { hasher: "bcrypt", digest: bcrypt.hashSync(password, 4).replace(/^\$2b\$/, "$2y$") },
    argon2id: { hasher: "argon2id", digest: await argon2Hash(password, { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 1 }) },
    argon2i: { hasher: "argon2i", digest: await argon2Hash(password, { algorithm: ARGON2I, memoryCost: 1024, timeCost: 2 }) },
    scrypt: { hasher: "scrypt", digest: `$scrypt$ln=10,r=8,p=1$${unpadded(salt)}$${unpadded(scryptHash)}` },
    scrypt_werkzeug: { hasher: "scrypt_werkzeug", digest: `scrypt:1024:8:1$${werkzeugSalt}$${werkzeugHash.toString("hex")}` },
    pbkdf2_sha256: { hasher: "pbkdf2_sha256", digest: `pbkdf2_sha256$1000$${b64(salt)}$${b64(pbkdf2Hash)}` },
    pbkdf2_sha256_phc: { hasher: "pbkdf2_sha256", digest: `$pbkdf2-sha256$i=1000$${unpadded(salt)}$${unpadded(pbkdf2Hash)}` },
    // passlib: iterations bare, "adapted" base64 ('.' for '+').
    pbkdf2_sha256_passlib: { hasher: "pbkdf2_sha256", digest: `$pbkdf2-sha256$1000$${unpadded(salt).replace(/\+/g, ".")}$${unpadded(pbkdf2Hash).replace(/\+/g, ".")}` },
    pbkdf2_sha256_django: { hasher: "pbkdf2_sha256_django", digest: `pbkdf2_sha256$1000$${djangoSalt}$${b64(djangoHash)}` },
    scrypt_firebase: {
      hasher: "scrypt_firebase",
      digest: [b64(firebaseHash), b64(firebase.salt), b64(firebase.signerKey), b64(firebase.saltSeparator), firebase.rounds, firebase.memCost].join("$"),
    },
  };
}
