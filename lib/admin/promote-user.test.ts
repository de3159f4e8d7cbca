import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { uniqueEmail } from "@/test/http";
import { findUserIdByEmail, promoteToAdmin } from "./promote-user";

describe("promoteToAdmin", () => {
  it("makes the address's owner an admin, audited, and says so when repeated", async () => {
    const { email, userId } = await signedUpUser();
    expect(await promoteToAdmin(email.toUpperCase(), { actorId: null, via: "cli" })).toEqual({ userId, wasAdmin: false });
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).role).toBe("admin");
    expect(await db.auditEvent.count({ where: { type: "user.role_changed", targetId: userId } })).toBe(1);
    expect(await promoteToAdmin(email, { actorId: null })).toEqual({ userId, wasAdmin: true });
    expect(await findUserIdByEmail(email)).toBe(userId);
  });

  it("reports an unknown address as not_found", async () => {
    await expect(promoteToAdmin(uniqueEmail("nobody"), { actorId: null })).rejects.toMatchObject({ code: "not_found" });
  });
});
