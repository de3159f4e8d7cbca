"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";
import { gradientFor, initialsFor, type AvatarUser } from "../Avatar";
import { Button } from "../Button";
import { ImageChooser } from "../ImageChooser";
import { Spinner } from "../Spinner";
import { useUser } from "../session/SessionProvider";
import { toast } from "../ui/sonner";
import { removeAvatar, uploadAvatar } from "./profile-api";
import { Section } from "./Section";

/** Mirrors lib/users/avatar.ts: checked here first so a wrong file is refused before it is sent. */
const MAX_BYTES = 2 * 1024 * 1024;
const ACCEPTED = ["image/png", "image/jpeg", "image/webp"];

/** The picture at 80 px: the upload or provider picture, else the initials on the user's gradient. */
function LargeAvatar({ user, src }: { user: AvatarUser; src: string | null }) {
  return (
    <span
      className={`inline-flex size-20 shrink-0 items-center justify-center overflow-hidden rounded-full bg-linear-to-br text-2xl font-semibold tracking-wide text-white select-none ${gradientFor(user.id)}`}
    >
      {src ? (
        // eslint-disable-next-line @next/next/no-img-element -- our own avatar route or a local preview (blob:)
        <img src={src} alt="" className="size-full object-cover" referrerPolicy="no-referrer" />
      ) : (
        <span aria-hidden="true">{initialsFor(user)}</span>
      )}
    </span>
  );
}

/**
 * Profile picture (S7): choose a PNG, JPEG or WebP up to 2 MB (a file input
 * that looks like a button), see it, save it; "Remove" goes back to the
 * generated initials. The server sniffs, decodes and re-encodes every upload.
 */
export function AvatarSection({ user }: { user: AvatarUser }) {
  const router = useRouter();
  const { refreshUser } = useUser();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [imageUrl, setImageUrl] = useState(user.imageUrl ?? null);
  const [chosen, setChosen] = useState<{ file: File; previewUrl: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<"upload" | "remove" | null>(null);

  // Frees the preview's object URL when it is replaced or the section goes away.
  useEffect(() => () => void (chosen && URL.revokeObjectURL(chosen.previewUrl)), [chosen]);

  function onChoose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // The same file may be chosen again after a cancel.
    event.target.value = "";
    if (!file) return;
    setError(null);
    if (!ACCEPTED.includes(file.type)) {
      setChosen(null);
      setError("Choose a PNG, JPEG or WebP image.");
      return;
    }
    if (file.size > MAX_BYTES) {
      setChosen(null);
      setError("The image must be 2 MB or smaller.");
      return;
    }
    setChosen({ file, previewUrl: URL.createObjectURL(file) });
  }

  async function onSave() {
    if (!chosen || pending) return;
    setPending("upload");
    setError(null);
    const result = await uploadAvatar(chosen.file);
    setPending(null);
    if (result.ok) {
      setImageUrl(result.data.profile.imageUrl);
      setChosen(null);
      toast.success("Profile picture updated");
      void refreshUser();
      router.refresh();
      return;
    }
    setError(result.fieldErrors.file ?? result.formError);
    inputRef.current?.focus();
  }

  async function onRemove() {
    if (pending) return;
    setPending("remove");
    setError(null);
    const result = await removeAvatar();
    setPending(null);
    if (result.ok) {
      setImageUrl(null);
      setChosen(null);
      toast.success("Profile picture removed");
      void refreshUser();
      router.refresh();
      return;
    }
    setError(result.formError);
  }

  const busy = pending !== null;

  return (
    <Section id="avatar" title="Profile picture" description="PNG, JPEG or WebP, up to 2 MB. It is cropped to a square.">
      <div className="flex flex-wrap items-center gap-5 px-5 py-4 sm:px-6">
        <div className="relative">
          <LargeAvatar user={user} src={chosen?.previewUrl ?? imageUrl} />
          {pending === "upload" ? (
            <span className="absolute inset-0 flex items-center justify-center rounded-full bg-black/40">
              <Spinner className="size-5 text-white" />
            </span>
          ) : null}
        </div>
        <ImageChooser
          inputRef={inputRef}
          inputId={inputId}
          accept={ACCEPTED}
          chosenName={chosen?.file.name ?? null}
          status={imageUrl ? "Your picture shows in the account menu and in apps that use this account." : "No picture yet: your initials show instead."}
          chooseLabel={imageUrl ? "Change picture" : "Upload picture"}
          saveLabel="Save picture"
          saving={pending === "upload"}
          busy={busy}
          error={error}
          onChoose={onChoose}
          onSave={onSave}
          onCancel={() => setChosen(null)}
          removeControl={
            imageUrl ? (
              <Button variant="ghost" onClick={onRemove} loading={pending === "remove"} disabled={busy}>
                <Trash2 aria-hidden="true" className="size-4" />
                Remove
              </Button>
            ) : null
          }
        />
      </div>
    </Section>
  );
}
