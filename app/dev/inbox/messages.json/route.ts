import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { devInboxEnabled, listDevInbox } from "@/lib/email";

const query = z.strictObject({ to: z.string().max(254).optional() });

/** The dev inbox as JSON (for scripts and the e2e suite). 404 wherever the page is. */
export const GET = handler({ query }, async ({ query }) => {
  if (!devInboxEnabled()) throw new AppError("not_found", "Not found.");
  return json({ messages: await listDevInbox({ to: query.to, limit: 20 }) });
});
export const dynamic = "force-dynamic";
