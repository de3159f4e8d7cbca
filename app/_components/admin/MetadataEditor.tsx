"use client";

import { diffLines } from "diff";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "../ui/tabs";
import { useMounted } from "../useMounted";
import { adminPost, userPath } from "./admin-api";

type Kind = "publicMetadata" | "privateMetadata" | "unsafeMetadata";
type JsonObject = Record<string, unknown>;

const KINDS: { kind: Kind; label: string; help: string }[] = [
  { kind: "publicMetadata", label: "Public", help: "Readable by the user's browser and usable in session claims; only admins and the backend write it." },
  { kind: "privateMetadata", label: "Private", help: "Backend and admins only; never sent to a browser except this console." },
  { kind: "unsafeMetadata", label: "Unsafe", help: "The user can read and write it from their own browser: never trust it for access decisions." },
];

const MAX_BYTES = 8 * 1024;

/** A JSON object of at most 8 KB, or what is wrong with the text (the server checks the same). */
function parseMetadata(text: string): { value: JsonObject } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "Metadata must be a JSON object, like {\"plan\": \"pro\"}." };
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > MAX_BYTES) return { error: `Metadata is ${bytes.toLocaleString("en-US")} bytes; the limit is 8 KB.` };
  return { value: value as JsonObject };
}

const pretty = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Admin metadata editors (S7, S8): one tab per kind, the JSON validated as
 * you type, and the change shown as a line diff before it is saved. A save
 * names the version it was based on; a change made meanwhile is refused, not overwritten.
 */
export function MetadataEditor({ userId, metadata, version }: { userId: string; metadata: Record<Kind, JsonObject>; version: string }) {
  // radix Tabs styles its panel inline while rendering: browser-only (see useMounted).
  const mounted = useMounted();
  if (!mounted) return <p className="h-72 text-sm text-muted-foreground">Loading the metadata editor…</p>;
  return (
    <Tabs defaultValue="publicMetadata">
      <TabsList aria-label="Metadata kind">
        {KINDS.map(({ kind, label }) => (
          <TabsTrigger key={kind} value={kind}>
            {label}
          </TabsTrigger>
        ))}
      </TabsList>
      {KINDS.map(({ kind, label, help }) => (
        <TabsContent key={kind} value={kind}>
          <MetadataKindEditor userId={userId} kind={kind} label={label} help={help} original={metadata[kind]} version={version} />
        </TabsContent>
      ))}
    </Tabs>
  );
}

function MetadataKindEditor({ userId, kind, label, help, original, version }: { userId: string; kind: Kind; label: string; help: string; original: JsonObject; version: string }) {
  const router = useRouter();
  const [text, setText] = useState(() => pretty(original));
  const [reviewing, setReviewing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const textareaId = useId();
  const helpId = useId();
  const errorId = useId();
  const parsed = parseMetadata(text);
  const invalid = "error" in parsed ? parsed.error : null;
  const changed = !invalid && "value" in parsed && pretty(parsed.value) !== pretty(original);

  async function save() {
    if (!("value" in parsed)) return;
    setSaving(true);
    setFormError(null);
    const result = await adminPost(userPath(userId, "metadata"), { [kind]: parsed.value, expectedVersion: version }, [kind]);
    setSaving(false);
    if (!result.ok) {
      setFormError(result.fieldErrors[kind] ?? result.formError);
      return;
    }
    setReviewing(false);
    toast.success(`${label} metadata saved.`);
    router.refresh();
  }

  const diff = reviewing && "value" in parsed ? diffLines(pretty(original), pretty(parsed.value)) : [];
  return (
    <div className="grid gap-3">
      <label htmlFor={textareaId} className="text-sm font-medium">
        {label} metadata (JSON)
      </label>
      <p id={helpId} className="-mt-2 text-sm text-muted-foreground">
        {help}
      </p>
      {reviewing ? (
        <div role="region" aria-label="Changes to save" className="max-h-80 overflow-auto rounded-md border border-border bg-muted/40 font-mono text-xs">
          {diff.map((part, index) => (
            <pre
              key={index}
              className={`px-3 whitespace-pre-wrap ${part.added ? "bg-success/15 text-foreground" : part.removed ? "bg-destructive-surface text-destructive line-through" : "text-muted-foreground"}`}
            >
              {part.value
                .replace(/\n$/, "")
                .split("\n")
                .map((line) => `${part.added ? "+ " : part.removed ? "- " : "  "}${line}`)
                .join("\n")}
            </pre>
          ))}
        </div>
      ) : (
        <textarea
          id={textareaId}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setFormError(null);
          }}
          spellCheck={false}
          rows={10}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={`${helpId}${invalid ? ` ${errorId}` : ""}`}
          className="w-full rounded-md border border-input bg-card p-3 font-mono text-xs text-foreground aria-[invalid=true]:border-destructive"
        />
      )}
      {invalid && !reviewing ? (
        <p id={errorId} className="text-sm text-destructive">
          {invalid}
        </p>
      ) : null}
      <FormAlert message={formError} />
      <div className="flex flex-wrap gap-2">
        {reviewing ? (
          <>
            <Button onClick={save} loading={saving}>
              Save {label.toLowerCase()} metadata
            </Button>
            <Button variant="ghost" disabled={saving} onClick={() => setReviewing(false)}>
              Back to editing
            </Button>
          </>
        ) : (
          <>
            <Button variant="secondary" disabled={!changed} onClick={() => setReviewing(true)}>
              Review changes
            </Button>
            {changed ? (
              <Button variant="ghost" onClick={() => setText(pretty(original))}>
                Discard
              </Button>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
