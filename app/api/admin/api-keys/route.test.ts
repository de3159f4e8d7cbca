import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticateApiKey } from "@/lib/api-keys";
import { signedUpUser } from "@/test/fixtures";
import { decodeJwtPayload, makeRequest } from "@/test/http";
import { GET, POST } from "./route";
import { POST as revokeRoute } from "./[id]/revoke/route";

async function signedInAdmin() {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return admin;
}

const revoke = (jar: Awaited<ReturnType<typeof signedUpUser>>["jar"], id: string) =>
  revokeRoute(makeRequest(`/api/admin/api-keys/${id}/revoke`, { body: {}, jar }), { params: Promise.resolve({ id }) });

describe("/api/admin/api-keys (S8, S9)", () => {
  it("creates a key shown once, lists it without the secret, and revokes it", async () => {
    const admin = await signedInAdmin();
    const created = await POST(makeRequest("/api/admin/api-keys", { body: { name: "Billing service" }, jar: admin.jar }));
    expect(created.status).toBe(201);
    const { apiKey, secret } = (await created.json()) as { apiKey: { id: string; prefix: string; status: string }; secret: string };
    expect(secret).toMatch(/^sk_live_/);
    expect(apiKey).toMatchObject({ prefix: secret.slice(0, 12), status: "active" });
    await expect(authenticateApiKey(`Bearer ${secret}`)).resolves.toMatchObject({ id: apiKey.id });

    const listed = await GET(makeRequest("/api/admin/api-keys", { jar: admin.jar }));
    const listText = await listed.text();
    expect(listText).toContain(apiKey.id);
    expect(listText).not.toContain(secret.slice(12));

    const revoked = await revoke(admin.jar, apiKey.id);
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ apiKey: { id: apiKey.id, status: "revoked" } });
    await expect(authenticateApiKey(`Bearer ${secret}`)).rejects.toMatchObject({ status: 401 });
    expect((await revoke(admin.jar, "ak_unknown")).status).toBe(404);
  });

  it("asks for a recent verification (step-up) to create or revoke; a name is required", async () => {
    const admin = await signedInAdmin();
    const noName = await POST(makeRequest("/api/admin/api-keys", { body: { name: "" }, jar: admin.jar }));
    expect(noName.status).toBe(400);
    const created = await POST(makeRequest("/api/admin/api-keys", { body: { name: "Old" }, jar: admin.jar }));
    const { apiKey } = (await created.json()) as { apiKey: { id: string } };

    const sessionId = decodeJwtPayload(admin.jar.values.get("__session")!).sid as string;
    await db.session.update({ where: { id: sessionId }, data: { verifiedAt: new Date(Date.now() - 60 * 60_000) } });
    const stale = await POST(makeRequest("/api/admin/api-keys", { body: { name: "New" }, jar: admin.jar }));
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ errors: [{ code: "reverification_required" }] });
    expect((await revoke(admin.jar, apiKey.id)).status).toBe(403);
    expect(await db.apiKey.count({ where: { name: "New" } })).toBe(0);
  });
});
