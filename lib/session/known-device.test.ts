import { afterEach, describe, expect, it } from "vitest";
import { newAuthSecret, useAuthSecrets } from "@/test/auth-secret";
import { isKnownDeviceOf, readKnownDevice, rememberDevice } from "./known-device";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("device cookies (S10)", () => {
  it("names the users who signed in on this browser, newest first; a forged or edited cookie reads as none", () => {
    const first = rememberDevice(null, "user_a");
    const second = rememberDevice(first, "user_b");
    const device = readKnownDevice(second);
    expect(device).toEqual({ id: readKnownDevice(first)!.id, userIds: ["user_b", "user_a"] });
    expect(isKnownDeviceOf(device, "user_a")).toBe(true);
    expect(isKnownDeviceOf(device, "user_c")).toBe(false);

    const [version, payload, signature] = second.split(".");
    const edited = Buffer.from(JSON.stringify({ d: device!.id, u: ["user_victim"] })).toString("base64url");
    expect(readKnownDevice(`${version}.${edited}.${signature}`)).toBeNull();
    expect(readKnownDevice(`${version}.${payload}.${"A".repeat(signature!.length)}`)).toBeNull();
    expect(readKnownDevice("v1.garbage")).toBeNull();
  });

  it("across an AUTH_SECRET rotation: a cookie signed under the old secret counts while AUTH_SECRET_PREVIOUS is set, and the next sign-in re-signs it", () => {
    const oldSecret = newAuthSecret();
    const newSecret = newAuthSecret();
    restore = useAuthSecrets(oldSecret);
    const cookie = rememberDevice(null, "user_owner");
    const deviceId = readKnownDevice(cookie)!.id;
    restore();

    restore = useAuthSecrets(newSecret, oldSecret);
    expect(readKnownDevice(cookie)?.userIds).toEqual(["user_owner"]);
    const resigned = rememberDevice(cookie, "user_owner");
    restore();

    restore = useAuthSecrets(newSecret);
    expect(readKnownDevice(cookie)).toBeNull();
    expect(readKnownDevice(resigned)).toEqual({ id: deviceId, userIds: ["user_owner"] });
  });
});
