import { describe, expect, it } from "vitest";
import { backupCodesFile, backupCodesFileName, backupCodesForClipboard } from "./backup-codes-file";
import { compactSetupKey, groupSetupKey } from "./setup-key";

const CODES = ["abcde-23456", "fghjk-78923", "mnpqr-45678", "stuvw-xyz23", "aaaaa-bbbbb", "ccccc-ddddd", "eeeee-fffff", "ggggg-hhhhh", "jjjjj-kkkkk", "mmmmm-nnnnn"];

describe("backupCodesFile (the downloaded .txt)", () => {
  const text = backupCodesFile({
    codes: CODES,
    instanceName: "Auth Portal",
    account: "ada@example.com",
    createdAt: new Date("2026-12-01T10:30:00Z"),
  });

  it("names the instance, the account and the date, and says each code works once", () => {
    const lines = text.split("\n");
    expect(lines[0]).toBe("Auth Portal: backup codes");
    expect(lines).toContain("Account: ada@example.com");
    expect(lines).toContain("Created: 2026-12-01");
    expect(text).toMatch(/Each code works once/);
    expect(text).toMatch(/new codes makes all of these stop working/);
  });

  it("lists all ten codes, numbered and aligned, as shown on the page", () => {
    const listed = text.split("\n").filter((line) => /^\s?\d+\. /.test(line));
    expect(listed).toHaveLength(10);
    expect(listed[0]).toBe(" 1. abcde-23456");
    expect(listed[9]).toBe("10. mmmmm-nnnnn");
  });

  it("ends with a newline (a well-formed text file)", () => {
    expect(text.endsWith("\n")).toBe(true);
  });

  it("formats codes however the server spelled them", () => {
    const file = backupCodesFile({ codes: ["ABCDE23456"], instanceName: "X", account: "a", createdAt: new Date(0) });
    expect(file).toContain("1. abcde-23456");
  });
});

describe("backupCodesForClipboard", () => {
  it("puts one code per line, nothing else", () => {
    expect(backupCodesForClipboard(["abcde23456", "fghjk-78923"])).toBe("abcde-23456\nfghjk-78923");
  });
});

describe("backupCodesFileName", () => {
  it.each([
    ["Auth Portal", "auth-portal-backup-codes.txt"],
    ["  ACME  Corp. ", "acme-corp-backup-codes.txt"],
    ["Café Ünïcode", "cafe-unicode-backup-codes.txt"],
    ["***", "account-backup-codes.txt"],
  ])("%j gives %j", (name, file) => {
    expect(backupCodesFileName(name)).toBe(file);
  });
});

describe("setup key", () => {
  it("groups the Base32 key in fours for reading", () => {
    expect(groupSetupKey("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(groupSetupKey("abcdefghij")).toBe("ABCD EFGH IJ");
  });

  it("copies without spaces", () => {
    expect(compactSetupKey("JBSW Y3DP EHPK 3PXP")).toBe("JBSWY3DPEHPK3PXP");
  });
});
