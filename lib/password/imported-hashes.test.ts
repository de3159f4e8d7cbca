import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { verifyPassword } from "./index";
import { importPasswordDigest, isImportedDigest, verifyImportedDigest, type PasswordHasher } from "./imported-hashes";
import { getPasswordHashPool } from "./worker-pool";
import { exportedDigests } from "./testing/exported-digests";

const PASSWORD = "amber-lantern-fjord-92";
const WRONG = "amber-lantern-fjord-93";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("importPasswordDigest + verifyImportedDigest / verifyPassword", () => {
  it("verifies every supported hasher's digest, made by its own library, and refuses a wrong password", async () => {
    const digests = await exportedDigests(PASSWORD);
    for (const [name, { hasher, digest }] of Object.entries(digests)) {
      const stored = importPasswordDigest(hasher, digest);
      await expect(verifyPassword(PASSWORD, stored), name).resolves.toBe(true);
      await expect(verifyPassword(WRONG, stored), name).resolves.toBe(false);
      await expect(verifyPassword("", stored), name).resolves.toBe(false);
    }
  });

  it("stores each in a self-describing form: bcrypt and argon2 as exported, the rest with their own prefix", async () => {
    const digests = await exportedDigests(PASSWORD);
    const stored = Object.fromEntries(Object.entries(digests).map(([name, { hasher, digest }]) => [name, importPasswordDigest(hasher, digest)]));
    expect(stored.bcrypt_2a).toBe(digests.bcrypt_2a!.digest);
    expect(stored.argon2id).toBe(digests.argon2id!.digest);
    expect(stored.scrypt).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(stored.scrypt_werkzeug).toMatch(/^scrypt:1024:8:1\$/);
    // Clerk's pbkdf2_sha256 (base64 salt) and Django's (text salt) share a prefix on export: stored apart.
    expect(stored.pbkdf2_sha256).toMatch(/^\$pbkdf2-sha256\$i=1000\$/);
    expect(stored.pbkdf2_sha256_phc).toBe(stored.pbkdf2_sha256);
    expect(stored.pbkdf2_sha256_passlib).toBe(stored.pbkdf2_sha256);
    expect(stored.pbkdf2_sha256_django).toMatch(/^pbkdf2_sha256\$1000\$seasalt8CharsLong\$/);
    expect(stored.scrypt_firebase).toMatch(/^\$firebase-scrypt\$rounds=8,mem_cost=10\$/);
    for (const [name, value] of Object.entries(stored)) expect(isImportedDigest(value), name).toBe(!name.startsWith("bcrypt"));
    // Storing is idempotent: the stored form of a stored form is itself.
    expect(importPasswordDigest("scrypt_firebase", digests.scrypt_firebase!.digest)).toBe(stored.scrypt_firebase);
  });

  it("Firebase's modified scrypt matches the example Firebase publishes (github.com/firebase/scrypt README)", async () => {
    const digest = [
      "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
      "42xEC+ixf3L2lw==",
      "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
      "Bw==",
      "8",
      "14",
    ].join("$");
    const stored = importPasswordDigest("scrypt_firebase", digest);
    await expect(verifyImportedDigest("user1password", stored)).resolves.toBe(true);
    await expect(verifyImportedDigest("user1Password", stored)).resolves.toBe(false);
  });

  it("a wrong password against an imported digest still costs the dummy bcrypt comparison an unknown address costs", async () => {
    const { pbkdf2_sha256_django } = await exportedDigests(PASSWORD);
    const stored = importPasswordDigest("pbkdf2_sha256_django", pbkdf2_sha256_django!.digest);
    const run = vi.spyOn(getPasswordHashPool(), "run");
    await expect(verifyPassword(WRONG, stored)).resolves.toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
    const request = run.mock.calls[0]![0];
    expect(request.op === "compare" && request.hash).toMatch(/^\$2b\$04\$/);
    // The dummy hash is well-formed: bcrypt really compared.
    await expect(run.mock.results[0]!.value).resolves.toBe(false);
  });

  it("keeps the 72-byte rule: a longer password never matches, even where the old hasher had no limit", async () => {
    const long = "x".repeat(73);
    const { argon2id } = await exportedDigests(long);
    const stored = importPasswordDigest("argon2id", argon2id!.digest);
    await expect(verifyImportedDigest(long, stored)).resolves.toBe(true);
    await expect(verifyPassword(long, stored)).resolves.toBe(false);
  });

  it("refuses a digest that does not fit its hasher with a field error, and a mismatched argon2 variant", async () => {
    const { argon2i, pbkdf2_sha256_django } = await exportedDigests(PASSWORD);
    const cases: [PasswordHasher, string][] = [
      ["bcrypt", "$2x$10$abc"],
      ["bcrypt", "$2b$03$" + "a".repeat(53)],
      ["argon2id", argon2i!.digest],
      ["argon2i", "$argon2i$v=19$m=nope"],
      ["scrypt", "$scrypt$ln=10,r=8$c2FsdA$aGFzaA"],
      ["scrypt", "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"],
      ["scrypt_werkzeug", "scrypt:1000:8:1$salt$abcd"],
      ["pbkdf2_sha256", "pbkdf2_sha256$1000$not base64!$abc"],
      ["pbkdf2_sha256", "pbkdf2_sha256$0$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA=="],
      ["pbkdf2_sha256_django", "sha1$abc$def"],
      ["scrypt_firebase", pbkdf2_sha256_django!.digest],
      ["scrypt_firebase", "aGFzaGhhc2hoYXNoaGFzaA==$c2FsdA==$a2V5$Bw==$9$14"],
    ];
    for (const [hasher, digest] of cases) {
      const error = (() => {
        try {
          importPasswordDigest(hasher, digest);
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      expect(error, `${hasher}: ${digest}`).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("validation_failed");
      expect((error as AppError).fields?.password_digest?.[0]).toMatch(new RegExp(`^Not a ${hasher} digest`));
    }
  });

  it("a stored string no hasher wrote is never a match", async () => {
    await expect(verifyPassword(PASSWORD, "plaintext-or-garbage")).resolves.toBe(false);
    await expect(verifyImportedDigest(PASSWORD, "$scrypt$broken")).resolves.toBe(false);
  });
});
