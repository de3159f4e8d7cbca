import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { devInboxEnabled, listDevInbox } from "@/lib/email";

export const metadata: Metadata = { title: "Dev inbox" };
export const dynamic = "force-dynamic";

const time = new Intl.DateTimeFormat("en", { timeStyle: "medium", dateStyle: "short", timeZone: "UTC" });

/**
 * Local mail without SMTP (S4): every email the portal wrote to the outbox,
 * newest first, with its code and link. Never available in production
 * unless DEV_INBOX=on.
 */
export default async function DevInboxPage({ searchParams }: { searchParams: SearchParams }) {
  if (!devInboxEnabled()) notFound();
  const to = firstParam((await searchParams).to);
  const messages = await listDevInbox({ to });

  return (
    <main id="main" className="mx-auto w-full max-w-4xl px-4 py-10 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight">Dev inbox</h1>
      <p className="mt-1 text-sm text-muted-foreground">
        Mail the portal would send. Without <code>SMTP_URL</code> nothing leaves this machine; codes and links also
        appear in the server console. JSON:{" "}
        <a
          className="text-brand underline"
          href={`/dev/inbox/messages.json${to ? `?to=${encodeURIComponent(to)}` : ""}`}
        >
          messages.json
        </a>
      </p>
      <form className="mt-4 flex gap-2" action="/dev/inbox">
        <label htmlFor="to" className="sr-only">
          Recipient
        </label>
        <input
          id="to"
          name="to"
          type="email"
          defaultValue={to}
          placeholder="Filter by recipient"
          className="h-9 flex-1 rounded-md border border-input bg-card px-3 text-sm"
        />
        <button
          type="submit"
          className="h-9 rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
        >
          Filter
        </button>
      </form>

      {messages.length === 0 ? (
        <p className="mt-8 text-sm text-muted-foreground" role="status">
          No messages yet.
        </p>
      ) : (
        <ol className="mt-6 grid gap-4">
          {messages.map((message) => (
            <li key={message.id} className="rounded-xl border border-border bg-card p-4" data-message-id={message.id}>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="font-semibold">{message.subject}</h2>
                <span className="text-xs text-muted-foreground">
                  {time.format(new Date(message.createdAt))} UTC · {message.status}
                  {message.attempts > 1 ? ` · ${message.attempts} attempts` : ""}
                </span>
              </div>
              <p className="text-sm text-muted-foreground">To {message.to}</p>
              {message.lastError ? (
                <p className="mt-1 text-sm text-destructive">Last error: {message.lastError}</p>
              ) : null}
              {message.code || message.link ? (
                <dl className="mt-3 grid gap-1 text-sm">
                  {message.code ? (
                    <div className="flex gap-2">
                      <dt className="text-muted-foreground">Code</dt>
                      <dd className="font-mono text-base font-semibold tracking-widest" data-testid="inbox-code">
                        {message.code}
                      </dd>
                    </div>
                  ) : null}
                  {message.link ? (
                    <div className="flex gap-2">
                      <dt className="text-muted-foreground">Link</dt>
                      <dd className="min-w-0 break-all">
                        <a className="text-brand underline" href={message.link} data-testid="inbox-link">
                          {message.link}
                        </a>
                      </dd>
                    </div>
                  ) : null}
                </dl>
              ) : null}
              {message.text ? (
                <details className="mt-3">
                  <summary className="cursor-pointer text-sm font-medium">Show email (text part)</summary>
                  {/* The text part, not the HTML: this page's CSP (no inline styles) would strip the
                      HTML's styling in an iframe and misrepresent it. The HTML is in messages.json. */}
                  <pre className="mt-2 overflow-x-auto rounded-md border border-border bg-muted/40 p-3 text-xs whitespace-pre-wrap">
                    {message.text}
                  </pre>
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
