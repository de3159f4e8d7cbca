import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sha256 } from "@/lib/crypto";
import { signedUpUser } from "@/test/fixtures";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey, LAST_USED_WRITE_INTERVAL_MS } from "./index";

async function adminActor() {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return { actorId: admin.userId, ip: "203.0.113.5", userAgent: "vitest" };
}

describe("API keys (S9)", () => {
  it("creates sk_live_ keys shown once: the table holds only the SHA-256 and a short prefix", async () => {
    const actor = await adminActor();
    const { apiKey, secret } = await createApiKey({ name: "  Support tool " }, actor);
    expect(secret).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: "Support tool", prefix: secret.slice(0, 12), status: "active", createdById: actor.actorId, lastUsedAt: null });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.keyHash).toBe(sha256(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(12));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "api_key.created", targetId: apiKey.id } });
    expect(audit).toMatchObject({ actorId: actor.actorId, ip: "203.0.113.5" });
    expect(JSON.stringify(audit.data)).not.toContain(secret.slice(12));
    // The list never carries the key.
    const listed = (await listApiKeys()).find((key) => key.id === apiKey.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(secret.slice(12));
  });

  it("refuses an empty name", async () => {
    const actor = await adminActor();
    await expect(createApiKey({ name: "   " }, actor)).rejects.toMatchObject({ code: "validation_failed", fields: { name: [expect.any(String)] } });
  });

  it("authenticates a Bearer key; a missing, malformed, unknown or revoked key is 401", async () => {
    const actor = await adminActor();
    const { apiKey, secret } = await createApiKey({ name: "Backend" }, actor);
    await expect(authenticateApiKey(`Bearer ${secret}`)).resolves.toEqual({ id: apiKey.id, name: "Backend" });
    await expect(authenticateApiKey(`bearer   ${secret}`)).resolves.toMatchObject({ id: apiKey.id });
    for (const header of [null, "", secret, `Basic ${secret}`, "Bearer sk_live_short", `Bearer ${secret}x`, `Bearer sk_test_${secret.slice(8)}`]) {
      await expect(authenticateApiKey(header), String(header)).rejects.toMatchObject({ code: "unauthenticated", status: 401 });
    }
    const unknown = `sk_live_${"A".repeat(43)}`;
    await expect(authenticateApiKey(`Bearer ${unknown}`)).rejects.toMatchObject({ code: "unauthenticated" });

    const revoked = await revokeApiKey(apiKey.id, actor);
    expect(revoked).toMatchObject({ status: "revoked", revokedAt: expect.any(Date) });
    await expect(authenticateApiKey(`Bearer ${secret}`)).rejects.toMatchObject({ code: "unauthenticated", message: "The secret key is not valid." });
    // Revoking again changes nothing and audits once.
    await revokeApiKey(apiKey.id, actor);
    expect(await db.auditEvent.count({ where: { type: "api_key.revoked", targetId: apiKey.id } })).toBe(1);
    await expect(revokeApiKey("ak_nope", actor)).rejects.toMatchObject({ code: "not_found" });
  });

  it("writes lastUsedAt at most once a minute", async () => {
    const actor = await adminActor();
    const { apiKey, secret } = await createApiKey({ name: "Busy" }, actor);
    const lastUsed = async () => (await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt?.getTime() ?? null;
    const start = new Date("2030-01-01T00:00:00Z");
    await authenticateApiKey(`Bearer ${secret}`, start);
    expect(await lastUsed()).toBe(start.getTime());
    await authenticateApiKey(`Bearer ${secret}`, new Date(start.getTime() + 30_000));
    expect(await lastUsed()).toBe(start.getTime());
    const later = new Date(start.getTime() + LAST_USED_WRITE_INTERVAL_MS + 1);
    await authenticateApiKey(`Bearer ${secret}`, later);
    expect(await lastUsed()).toBe(later.getTime());
  });
});
