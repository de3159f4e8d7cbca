import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { devInboxEnabled, devInboxVersion } from "@/lib/email/dev-inbox";

const query = z.strictObject({ to: z.string().max(254).optional() });

/** What the open inbox page polls (every 2 s): a version that changes with the list, not the list itself. */
export const GET = handler({ query }, async ({ query }) => {
  if (!devInboxEnabled()) throw new AppError("not_found", "Not found.");
  return json({ version: await devInboxVersion({ to: query.to }) });
});
export const dynamic = "force-dynamic";
