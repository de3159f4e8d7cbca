import { afterEach, describe, expect, it } from "vitest";
import { newAuthSecret, useAuthSecrets } from "@/test/auth-secret";
import { decryptSecret, encryptSecret, hasPreviousAuthSecret, keyedHash, keyedHashCandidates, resealSecret } from "./crypto";

/** AUTH_SECRET rotation (docs/security.md): reads accept the previous secret, writes use only the new one. */
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("secrets sealed under AUTH_SECRET, across a rotation", () => {
  const oldSecret = newAuthSecret();
  const newSecret = newAuthSecret();

  it("opens what the previous secret sealed only while AUTH_SECRET_PREVIOUS is set; seals new data under the new one", () => {
    restore = useAuthSecrets(oldSecret);
    const sealedBefore = encryptSecret("totp seed", "totp-secret");
    expect(hasPreviousAuthSecret()).toBe(false);

    restore();
    restore = useAuthSecrets(newSecret);
    expect(() => decryptSecret(sealedBefore, "totp-secret")).toThrow(/unable to authenticate/);

    restore();
    restore = useAuthSecrets(newSecret, oldSecret);
    expect(hasPreviousAuthSecret()).toBe(true);
    expect(decryptSecret(sealedBefore, "totp-secret")).toBe("totp seed");
    // Still bound to its purpose: the previous secret does not open it as something else.
    expect(() => decryptSecret(sealedBefore, "webhook-secret")).toThrow();
    const sealedDuring = encryptSecret("webhook secret", "webhook-secret");

    restore();
    restore = useAuthSecrets(newSecret);
    expect(decryptSecret(sealedDuring, "webhook-secret")).toBe("webhook secret");
  });

  it("reseals: under the new secret when the previous one sealed it, null when already current, an error when neither opens it", () => {
    restore = useAuthSecrets(oldSecret);
    const underOld = encryptSecret("client secret", "oauth-client-secret");
    restore();
    const thirdSecret = newAuthSecret();
    restore = useAuthSecrets(thirdSecret);
    const underThird = encryptSecret("lost", "oauth-client-secret");
    restore();

    restore = useAuthSecrets(newSecret, oldSecret);
    const resealed = resealSecret(underOld, "oauth-client-secret");
    expect(resealed).not.toBeNull();
    expect(resealed).not.toBe(underOld);
    expect(resealSecret(resealed!, "oauth-client-secret")).toBeNull();
    expect(() => resealSecret(underThird, "oauth-client-secret")).toThrow();
    restore();

    restore = useAuthSecrets(newSecret);
    expect(decryptSecret(resealed!, "oauth-client-secret")).toBe("client secret");
  });

  it("keyed hashes (backup codes): the current one is stored, both are candidates while rotating", () => {
    restore = useAuthSecrets(oldSecret);
    const underOld = keyedHash("backup-code", "abcde12345");
    restore();
    restore = useAuthSecrets(newSecret, oldSecret);
    const candidates = keyedHashCandidates("backup-code", "abcde12345");
    expect(candidates).toEqual([keyedHash("backup-code", "abcde12345"), underOld]);
    expect(candidates[0]).not.toBe(underOld);
    restore();
    restore = useAuthSecrets(newSecret);
    expect(keyedHashCandidates("backup-code", "abcde12345")).toEqual([candidates[0]]);
  });
});
