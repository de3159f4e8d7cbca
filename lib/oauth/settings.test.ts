import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { configuredProviders, findProvider } from "./providers";
import { saveOAuthProvider } from "./settings";

describe("OAuth providers in the instance settings (S5, S8)", () => {
  it("stores the client secret encrypted, keeps it out of the audit log, and offers the provider", async () => {
    await saveOAuthProvider({ id: "google", clientId: "google-client", clientSecret: "GOCSPX-very-secret" }, { actorId: null });
    const row = await db.instanceSettings.findUniqueOrThrow({ where: { id: "default" } });
    expect(JSON.stringify(row.data)).not.toContain("GOCSPX-very-secret");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "settings.updated" }, orderBy: { createdAt: "desc" } });
    expect(JSON.stringify(audit.data)).not.toContain("GOCSPX");
    expect(JSON.stringify(audit.data)).not.toContain((row.data as { oauthProviders: { google: { clientSecretEncrypted: string } } }).oauthProviders.google.clientSecretEncrypted);
    expect(JSON.stringify(audit.data)).toContain("google-client");

    const { settings } = await readInstanceSettings();
    const google = findProvider(settings, "google");
    expect(google).toMatchObject({ id: "google", name: "Google", protocol: "oidc", issuer: "https://accounts.google.com", clientId: "google-client", clientSecret: "GOCSPX-very-secret" });
  });

  it("keeps the stored secret when an update leaves it out, and hides a disabled provider", async () => {
    await saveOAuthProvider({ id: "corp", issuer: "https://login.corp.example", clientId: "a", clientSecret: "first-secret", name: "Corp SSO" }, { actorId: null });
    await saveOAuthProvider({ id: "corp", issuer: "https://login.corp.example", clientId: "b", name: "Corp SSO" }, { actorId: null });
    let { settings } = await readInstanceSettings();
    expect(findProvider(settings, "corp")).toMatchObject({ clientId: "b", clientSecret: "first-secret", name: "Corp SSO", mark: "generic" });

    await saveOAuthProvider({ id: "corp", issuer: "https://login.corp.example", clientId: "b", enabled: false }, { actorId: null });
    ({ settings } = await readInstanceSettings());
    expect(configuredProviders(settings).map((provider) => provider.id)).not.toContain("corp");
  });

  it("refuses a generic provider without an issuer, and a secret sealed under another AUTH_SECRET hides the provider", async () => {
    await expect(saveOAuthProvider({ id: "no-issuer", clientId: "a", clientSecret: "b" }, { actorId: null })).rejects.toMatchObject({ code: "validation_failed" });

    const { settings, version } = await readInstanceSettings();
    await updateInstanceSettings(
      { oauthProviders: { ...settings.oauthProviders, discord: { enabled: true, clientId: "d", clientSecretEncrypted: "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA" } } },
      { expectedVersion: version },
    );
    const current = await readInstanceSettings();
    expect(findProvider(current.settings, "discord")).toBeNull();
  });
});
