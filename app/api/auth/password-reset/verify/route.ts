import { z } from "zod";
import { codeField, handler, idField, json, tokenField } from "@/lib/http";
import { verifyPasswordReset } from "@/lib/sign-in";

const body = z.union([
  z.strictObject({
    resetId: idField("resetId"),
    code: codeField,
  }),
  z.strictObject({ token: tokenField }),
]);

/** A correct code (or a still-valid link token) yields the token that `complete` takes. */
export const POST = handler({ body }, async ({ body }) => json(await verifyPasswordReset(body)));
