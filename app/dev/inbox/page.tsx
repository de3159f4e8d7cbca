import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { devInboxEnabled, devInboxVersion, listDevInbox, type DevInboxMessage } from "@/lib/email/dev-inbox";
import { listDevSms } from "@/lib/sms";
import { CopyButton } from "./_components/CopyButton";
import { InboxLiveUpdates } from "./_components/InboxLiveUpdates";
import { MessageBody } from "./_components/MessageBody";

export const metadata: Metadata = { title: "Dev inbox" };
export const dynamic = "force-dynamic";

const time = new Intl.DateTimeFormat("en", { timeStyle: "medium", dateStyle: "short", timeZone: "UTC" });

/**
 * Local mail without SMTP (S4): every email the portal wrote to the outbox,
 * newest first, with its code and link up front and its HTML and text below.
 * Updates by itself while open. Never available in production unless DEV_INBOX=on.
 */
export default async function DevInboxPage({ searchParams }: { searchParams: SearchParams }) {
  if (!devInboxEnabled()) notFound();
  const to = firstParam((await searchParams).to);
  // Version first: mail arriving in between makes it older than the list, so the next poll refreshes again.
  const version = await devInboxVersion({ to });
  const messages = await listDevInbox({ to });
  // Text messages (SMS codes, S6) sit under the mail when no recipient filter is set.
  const texts = to ? [] : await listDevSms({ limit: 10 });
  const query = to ? `?${new URLSearchParams({ to })}` : "";

  return (
    <main id="main" className="mx-auto w-full max-w-4xl px-4 py-10 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-x-6 gap-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Dev inbox</h1>
        <InboxLiveUpdates
          key={to ?? ""}
          to={to}
          version={version}
          messages={messages.map(({ id, to, subject }) => ({ id, to, subject }))}
        />
      </div>
      <p className="mt-1 text-sm text-muted-foreground">
        Mail the portal would send. Without <code>SMTP_URL</code> nothing leaves this machine; codes and links also
        appear in the server console. JSON:{" "}
        <a className="text-brand underline" href={`/dev/inbox/messages.json${query}`}>
          messages.json
        </a>
      </p>

      <form role="search" className="mt-5 flex flex-wrap items-end gap-2" action="/dev/inbox">
        <div className="grid min-w-60 flex-1 gap-1">
          <label htmlFor="to" className="text-sm font-medium">
            Recipient
          </label>
          <input
            id="to"
            name="to"
            type="email"
            defaultValue={to}
            placeholder="ada@example.com"
            autoComplete="off"
            className="h-9 rounded-md border border-input bg-card px-3 text-sm"
          />
        </div>
        <button
          type="submit"
          className="h-9 rounded-md border border-border bg-card px-3 text-sm font-medium shadow-xs hover:bg-muted"
        >
          Filter
        </button>
        {to ? (
          <a href="/dev/inbox" className="inline-flex h-9 items-center px-2 text-sm font-medium text-brand underline">
            Show all mail
          </a>
        ) : null}
      </form>

      {messages.length === 0 ? (
        <EmptyInbox to={to} />
      ) : (
        <ol className="mt-6 grid gap-4" aria-label={to ? `Mail to ${to}, newest first` : "Mail, newest first"}>
          {messages.map((message, index) => (
            <MessageCard key={message.id} message={message} newest={index === 0} />
          ))}
        </ol>
      )}

      {texts.length > 0 ? (
        <section className="mt-10" aria-labelledby="texts-heading">
          <h2 id="texts-heading" className="text-lg font-semibold tracking-tight">
            Text messages
          </h2>
          <p className="mt-1 text-sm text-muted-foreground">
            SMS the portal would send (no <code>TWILIO_*</code> configured). JSON:{" "}
            <a className="text-brand underline" href="/dev/sms.json">
              sms.json
            </a>
          </p>
          <ol className="mt-4 grid gap-3" aria-label="Text messages, newest first">
            {texts.map((text) => (
              <li key={text.id} data-sms-id={text.id} className="rounded-xl border border-border bg-card p-4 shadow-xs">
                <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
                  <span className="font-medium">{text.to}</span>
                  <time dateTime={text.createdAt} className="text-muted-foreground">
                    {time.format(new Date(text.createdAt))} UTC
                  </time>
                </div>
                {text.code ? (
                  <div className="mt-2 flex items-center gap-2">
                    <span className="font-mono text-lg font-semibold tracking-widest" data-testid="sms-code">
                      {text.code}
                    </span>
                    <CopyButton value={text.code} what="code" />
                  </div>
                ) : null}
                <p className="mt-2 text-sm whitespace-pre-line text-muted-foreground">{text.body}</p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </main>
  );
}

function EmptyInbox({ to }: { to?: string }) {
  return (
    <div className="mt-6 rounded-xl border border-dashed border-border bg-card px-6 py-12 text-center">
      <MailIcon className="mx-auto size-8 text-muted-foreground" />
      <h2 className="mt-3 font-semibold">{to ? `No mail to ${to} yet.` : "No mail yet."}</h2>
      <p className="mt-1 text-sm text-muted-foreground">
        <a href="/sign-up" className="text-brand underline">
          Sign up
        </a>{" "}
        or{" "}
        <a href="/sign-in" className="text-brand underline">
          ask for a code
        </a>{" "}
        and it appears here within a second.
      </p>
    </div>
  );
}

function MessageCard({ message, newest }: { message: DevInboxMessage; newest: boolean }) {
  return (
    <li className="rounded-xl border border-border bg-card shadow-xs" data-message-id={message.id}>
      <div className="p-4 sm:p-5">
        <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
          <h2 className="min-w-0 font-semibold break-words">{message.subject}</h2>
          <StatusBadge status={message.status} attempts={message.attempts} />
        </div>
        <p className="mt-0.5 text-sm text-muted-foreground">
          To <span className="text-foreground">{message.to}</span> ·{" "}
          <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))} UTC</time> ·{" "}
          <span className="font-mono text-xs">{message.template}</span>
        </p>
        {message.lastError ? <p className="mt-1 text-sm text-destructive">Last error: {message.lastError}</p> : null}
        {message.code || message.link ? (
          <dl className="mt-4 grid gap-3 rounded-lg bg-muted/60 p-3 sm:grid-cols-[4rem_1fr] sm:items-center">
            {message.code ? (
              <>
                <dt className="text-sm text-muted-foreground">Code</dt>
                <dd className="flex flex-wrap items-center gap-3">
                  <span className="font-mono text-2xl font-semibold tracking-[0.3em]" data-testid="inbox-code">
                    {message.code}
                  </span>
                  <CopyButton value={message.code} what="code" />
                </dd>
              </>
            ) : null}
            {message.link ? (
              <>
                <dt className="text-sm text-muted-foreground">Link</dt>
                <dd className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
                  <a className="min-w-0 text-sm break-all text-brand underline" href={message.link} data-testid="inbox-link">
                    {message.link}
                  </a>
                  <CopyButton value={message.link} what="link" />
                </dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </div>
      <MessageBody
        id={message.id}
        subject={message.subject}
        hasHtml={message.html !== null}
        text={message.text}
        initiallyOpen={newest}
      />
    </li>
  );
}

const STATUS_STYLE: Record<string, string> = {
  sent: "border-success/40 text-success",
  failed: "border-destructive/40 text-destructive",
};

function StatusBadge({ status, attempts }: { status: string; attempts: number }) {
  return (
    <span
      className={`shrink-0 rounded-full border px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? "border-border text-muted-foreground"}`}
    >
      {status}
      {attempts > 1 ? ` · ${attempts} attempts` : ""}
    </span>
  );
}

function MailIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" className={className}>
      <rect x="3" y="5" width="18" height="14" rx="2" />
      <path d="m3.5 6.5 8.5 6 8.5-6" />
    </svg>
  );
}
