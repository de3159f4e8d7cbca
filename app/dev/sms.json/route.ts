import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { devInboxEnabled } from "@/lib/email";
import { listDevSms } from "@/lib/sms";

const query = z.strictObject({ to: z.string().max(32).optional() });

/** The dev SMS outbox as JSON (for scripts and the e2e suite), with each code. 404 wherever the dev inbox is. */
export const GET = handler({ query }, async ({ query }) => {
  if (!devInboxEnabled()) throw new AppError("not_found", "Not found.");
  return json({ messages: await listDevSms({ to: query.to, limit: 20 }) });
});
export const dynamic = "force-dynamic";
