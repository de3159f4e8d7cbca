import { expect, type APIRequestContext } from "@playwright/test";

/** One email as /dev/inbox/messages.json lists it (the server runs without SMTP_URL and DEV_INBOX=on). */
export type InboxMessage = {
  id: string;
  to: string;
  template: string;
  subject: string;
  code: string | null;
  link: string | null;
  createdAt: string;
};

/**
 * Waits for the newest email to `email` (newer than `after`, when given) and
 * returns it: the code and link as a user would read them from their inbox.
 */
export async function waitForEmail(
  request: APIRequestContext,
  email: string,
  options: { after?: InboxMessage | null; template?: string } = {},
): Promise<InboxMessage> {
  let found: InboxMessage | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get(`/dev/inbox/messages.json?to=${encodeURIComponent(email)}`);
        if (!response.ok()) return `HTTP ${response.status()}`;
        const { messages } = (await response.json()) as { messages: InboxMessage[] };
        found = messages.find(
          (message) =>
            (!options.template || message.template === options.template) &&
            // Ids sort by the second only: compare creation times (ms) and exclude the known message itself.
            (!options.after || (message.id !== options.after.id && message.createdAt >= options.after.createdAt)),
        );
        return found ? "arrived" : "waiting";
      },
      { message: `an email to ${email}`, timeout: 15_000, intervals: [100, 250, 500] },
    )
    .toBe("arrived");
  return found!;
}

export async function latestEmail(request: APIRequestContext, email: string): Promise<InboxMessage | null> {
  const response = await request.get(`/dev/inbox/messages.json?to=${encodeURIComponent(email)}`);
  const { messages } = (await response.json()) as { messages: InboxMessage[] };
  return messages[0] ?? null;
}
