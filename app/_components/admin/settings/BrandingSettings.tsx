"use client";

import { RotateCw, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState, type ChangeEvent, type CSSProperties, type FormEvent } from "react";
import { brandPalette, isHexColor, type BrandColors, type Theme } from "@/lib/branding/palette";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { ConfirmDialog } from "../../account/ConfirmDialog";
import { StepUpProvider, useStepUp } from "../../account/step-up";
import { ImageChooser } from "../../ImageChooser";
import { FieldError, TextField, inputClassName } from "../../TextField";
import { Spinner } from "../../Spinner";
import { toast } from "../../ui/sonner";
import {
  fetchBrandLogo,
  fetchBrandingSettings,
  removeBrandLogo,
  saveBrandingSettings,
  uploadBrandLogo,
  type BrandLogo,
  type BrandingValues,
} from "./branding-api";

/** Mirrors lib/branding: checked here first so a wrong file is refused before it is sent. */
const LOGO_MAX_BYTES = 1024 * 1024;
const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"];
const NAME_MAX = 60;
const CONFLICT_MESSAGE = "Settings changed elsewhere; reload them to see the current values, then make your change again.";

const THEME_OPTIONS: { value: Theme; label: string; description: string }[] = [
  { value: "system", label: "System", description: "Follows each visitor’s device setting." },
  { value: "light", label: "Light", description: "Always light." },
  { value: "dark", label: "Dark", description: "Always dark." },
];

type Loaded = { version: number; saved: BrandingValues };
type FieldErrors = Partial<Record<keyof BrandingValues, string>>;

/** "#4F46E5", "4f46e5" -> "#4f46e5"; null when it is not a 6-digit hex colour. */
function normalizeHex(value: string): string | null {
  const candidate = value.trim().startsWith("#") ? value.trim() : `#${value.trim()}`;
  return isHexColor(candidate) ? candidate.toLowerCase() : null;
}

/**
 * Branding (S8, S11): the instance name, primary colour (picker + hex, with a
 * live preview of a button and a link in light and dark mode, as the
 * contrast rules will render them), theme, and logo. Name, colour and theme
 * are saved together through the settings route (versioned: a concurrent
 * save elsewhere is reported, never overwritten); the logo has its own
 * upload and remove. Every change goes through step-up.
 */
export function BrandingSettings() {
  return (
    <StepUpProvider>
      <BrandingSection />
    </StepUpProvider>
  );
}

function BrandingSection() {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [logo, setLogo] = useState<BrandLogo | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Bumped by "Reload": the form remounts with the values just read.
  const [generation, setGeneration] = useState(0);

  const load = useCallback(async () => {
    setLoadError(null);
    const [settings, currentLogo] = await Promise.all([fetchBrandingSettings(), fetchBrandLogo()]);
    if (!settings.ok) return setLoadError(settings.formError ?? "Could not load the branding settings.");
    const { instanceName, brandColor, theme } = settings.data.settings;
    setLoaded({ version: settings.data.version, saved: { instanceName, brandColor: brandColor.toLowerCase(), theme } });
    setLogo(currentLogo.ok ? currentLogo.data.logo : null);
    setGeneration((value) => value + 1);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="branding-heading" className="rounded-xl border border-border bg-card text-card-foreground shadow-sm">
      <div className="border-b border-border px-5 py-4 sm:px-6">
        <h2 id="branding-heading" className="text-base font-semibold text-foreground">
          Branding
        </h2>
        <p className="mt-0.5 text-sm text-muted-foreground">The name, colour, theme and logo on every page and in every email.</p>
      </div>
      {loaded ? (
        <>
          <BrandingForm key={generation} loaded={loaded} onSaved={setLoaded} onReload={load} />
          <LogoField logo={logo ?? null} onChange={setLogo} />
        </>
      ) : (
        <div className="px-5 py-4 sm:px-6" aria-busy={!loadError}>
          <FormAlert message={loadError} />
          {loadError ? (
            <Button variant="secondary" className="mt-3" onClick={() => void load()}>
              Try again
            </Button>
          ) : (
            <p className="flex items-center gap-2 text-sm text-muted-foreground">
              <Spinner /> Loading branding…
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function BrandingForm({ loaded, onSaved, onReload }: { loaded: Loaded; onSaved: (next: Loaded) => void; onReload: () => Promise<void> }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const id = useId();
  const [instanceName, setInstanceName] = useState(loaded.saved.instanceName);
  const [brandColor, setBrandColor] = useState(loaded.saved.brandColor);
  const [colorText, setColorText] = useState(loaded.saved.brandColor);
  const [theme, setTheme] = useState<Theme>(loaded.saved.theme);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [reloading, setReloading] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const colorRef = useRef<HTMLInputElement>(null);

  const values: BrandingValues = { instanceName: instanceName.trim(), brandColor, theme };
  const dirty =
    values.instanceName !== loaded.saved.instanceName || values.brandColor !== loaded.saved.brandColor || values.theme !== loaded.saved.theme;

  function onColorText(value: string) {
    setColorText(value);
    const hex = normalizeHex(value);
    if (hex) setBrandColor(hex);
    setFieldErrors((errors) => ({ ...errors, brandColor: undefined }));
  }

  function validate(): FieldErrors {
    const errors: FieldErrors = {};
    if (!values.instanceName) errors.instanceName = "Enter a name.";
    else if (values.instanceName.length > NAME_MAX) errors.instanceName = `Use at most ${NAME_MAX} characters.`;
    if (!normalizeHex(colorText)) errors.brandColor = "Use a colour like #4f46e5.";
    return errors;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setFormError(null);
    setConflict(false);
    const errors = validate();
    setFieldErrors(errors);
    if (errors.instanceName) return nameRef.current?.focus();
    if (errors.brandColor) return colorRef.current?.focus();
    setSaving(true);
    let result = await stepUp(() => saveBrandingSettings(loaded.version, values));
    if (result && !result.ok && result.status === 409) {
      // Another section (or admin) saved meanwhile. If the branding itself is as this form loaded it, save on the new version.
      const latest = await fetchBrandingSettings();
      const untouched =
        latest.ok &&
        latest.data.settings.instanceName === loaded.saved.instanceName &&
        latest.data.settings.brandColor.toLowerCase() === loaded.saved.brandColor &&
        latest.data.settings.theme === loaded.saved.theme;
      if (latest.ok && untouched) result = await stepUp(() => saveBrandingSettings(latest.data.version, values));
    }
    setSaving(false);
    if (!result) return; // step-up cancelled: nothing was saved
    if (result.ok) {
      const { instanceName: name, brandColor: color, theme: savedTheme } = result.data.settings;
      onSaved({ version: result.data.version, saved: { instanceName: name, brandColor: color.toLowerCase(), theme: savedTheme } });
      setInstanceName(name);
      toast.success("Branding saved");
      // Server components (layout, header) render the new branding.
      router.refresh();
      return;
    }
    if (result.status === 409) return setConflict(true);
    setFieldErrors(result.fieldErrors as FieldErrors);
    setFormError(result.formError);
    if (result.fieldErrors.instanceName) nameRef.current?.focus();
    else if (result.fieldErrors.brandColor) colorRef.current?.focus();
  }

  async function reload() {
    setReloading(true);
    await onReload();
    setReloading(false);
  }

  const palette = brandPalette(brandColor);
  const adjusted = palette.light.primary !== brandColor || palette.dark.primary !== brandColor;

  return (
    <form onSubmit={onSubmit} noValidate aria-busy={saving} className="grid gap-5 px-5 py-5 sm:px-6">
      <TextField
        id={`${id}-name`}
        ref={nameRef}
        label="Instance name"
        value={instanceName}
        maxLength={NAME_MAX}
        autoComplete="off"
        required
        error={fieldErrors.instanceName}
        describedBy={`${id}-name-hint`}
        below={
          <p id={`${id}-name-hint`} className="mt-1.5 text-sm text-muted-foreground">
            Shown on the sign-in page, in page titles and in emails. Up to {NAME_MAX} characters.
          </p>
        }
        onChange={(event) => {
          setInstanceName(event.target.value);
          setFieldErrors((errors) => ({ ...errors, instanceName: undefined }));
        }}
      />

      <div>
        <label htmlFor={`${id}-color`} className="text-sm font-medium text-foreground">
          Primary colour
        </label>
        <div className="mt-1.5 flex items-center gap-2">
          <input
            type="color"
            aria-label="Pick the primary colour"
            value={brandColor}
            onChange={(event) => onColorText(event.target.value)}
            className="h-10 w-12 shrink-0 cursor-pointer rounded-md border border-input bg-card p-1 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand"
          />
          <input
            ref={colorRef}
            id={`${id}-color`}
            value={colorText}
            onChange={(event) => onColorText(event.target.value)}
            onBlur={() => {
              const hex = normalizeHex(colorText);
              if (hex) setColorText(hex);
              else setFieldErrors((errors) => ({ ...errors, brandColor: "Use a colour like #4f46e5." }));
            }}
            spellCheck={false}
            autoComplete="off"
            inputMode="text"
            maxLength={7}
            aria-invalid={fieldErrors.brandColor ? true : undefined}
            aria-describedby={`${id}-color-hint${fieldErrors.brandColor ? ` ${id}-color-error` : ""}`}
            className={`${inputClassName} max-w-36 font-mono`}
          />
        </div>
        <p id={`${id}-color-hint`} className="mt-1.5 text-sm text-muted-foreground">
          A hex colour such as #4f46e5. Button text is white or black, whichever reads better on it.
          {adjusted ? " Where the colour would be hard to read on the page, a darker or lighter shade of it is used (see the preview)." : ""}
        </p>
        <FieldError id={`${id}-color-error`} error={fieldErrors.brandColor} className={fieldErrors.brandColor ? "mt-1.5" : ""} />
        <div className="mt-3 grid gap-3 sm:grid-cols-2" aria-label="Preview" role="group">
          <ColorPreview scheme="Light" colors={palette.light} surface="#ffffff" text="#0a0a0c" muted="#5e5e6b" border="#e4e4e7" />
          <ColorPreview scheme="Dark" colors={palette.dark} surface="#111114" text="#f4f4f5" muted="#a1a1aa" border="#27272f" />
        </div>
      </div>

      <fieldset>
        <legend className="text-sm font-medium text-foreground">Theme</legend>
        <div className="mt-1.5 grid gap-2 sm:grid-cols-3">
          {THEME_OPTIONS.map((option) => (
            <label
              key={option.value}
              className="flex cursor-pointer items-start gap-2.5 rounded-md border border-border p-3 text-sm has-checked:border-brand has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand"
            >
              <input
                type="radio"
                name={`${id}-theme`}
                value={option.value}
                checked={theme === option.value}
                onChange={() => setTheme(option.value)}
                aria-describedby={`${id}-theme-${option.value}`}
                className="mt-0.5 size-4 accent-brand focus-visible:outline-none"
              />
              <span>
                <span className="block font-medium text-foreground">{option.label}</span>
                <span id={`${id}-theme-${option.value}`} className="block text-muted-foreground">
                  {option.description}
                </span>
              </span>
            </label>
          ))}
        </div>
        <FieldError id={`${id}-theme-error`} error={fieldErrors.theme} className={fieldErrors.theme ? "mt-1.5" : ""} />
      </fieldset>

      <FormAlert message={formError} />
      <div role="alert">
        {conflict ? (
          <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-warning/40 bg-card px-3 py-2 text-sm text-warning">
            <p>{CONFLICT_MESSAGE}</p>
            <Button variant="secondary" onClick={() => void reload()} loading={reloading}>
              <RotateCw aria-hidden="true" className="size-4" />
              Reload settings
            </Button>
          </div>
        ) : null}
      </div>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" loading={saving} disabled={!dirty}>
          Save branding
        </Button>
        {!dirty && !saving ? <span className="text-sm text-muted-foreground">No unsaved changes.</span> : null}
      </div>
    </form>
  );
}

/**
 * A primary button and a link as they will look on a page of one scheme.
 * Colours are set as custom properties from the client (through CSSOM, which
 * the CSP allows; the form renders only after the settings have loaded).
 */
function ColorPreview({
  scheme,
  colors,
  surface,
  text,
  muted,
  border,
}: {
  scheme: string;
  colors: BrandColors;
  surface: string;
  text: string;
  muted: string;
  border: string;
}) {
  const style = {
    "--preview-surface": surface,
    "--preview-text": text,
    "--preview-muted": muted,
    "--preview-border": border,
    "--preview-primary": colors.primary,
    "--preview-primary-foreground": colors.foreground,
    "--preview-primary-hover": colors.hover,
  } as CSSProperties;
  return (
    <div style={style} className="rounded-lg border border-(--preview-border) bg-(--preview-surface) p-3 text-(--preview-text)">
      <p className="text-xs font-medium text-(--preview-muted)">{scheme} mode</p>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        {/* A picture of a button: not focusable, not a control. */}
        <span
          aria-hidden="true"
          className="inline-flex h-9 items-center rounded-md bg-(--preview-primary) px-3 text-sm font-semibold text-(--preview-primary-foreground) shadow-sm hover:bg-(--preview-primary-hover)"
        >
          Continue
        </span>
        <span aria-hidden="true" className="text-sm font-medium text-(--preview-primary) underline underline-offset-2">
          Forgot password?
        </span>
      </div>
      <p className="mt-2 font-mono text-xs text-(--preview-muted)">
        {colors.primary} · text {colors.foreground === "#ffffff" ? "white" : "black"}
      </p>
    </div>
  );
}

/** The logo: upload (PNG, JPEG or WebP up to 1 MB, previewed before saving) and remove. */
function LogoField({ logo, onChange }: { logo: BrandLogo | null; onChange: (logo: BrandLogo | null) => void }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const inputId = useId();
  const hintId = `${inputId}-hint`;
  const inputRef = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<{ file: File; previewUrl: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<"upload" | "remove" | null>(null);

  // Frees the preview's object URL when it is replaced or the field goes away.
  useEffect(() => () => void (chosen && URL.revokeObjectURL(chosen.previewUrl)), [chosen]);

  function onChoose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // The same file may be chosen again after a cancel.
    event.target.value = "";
    if (!file) return;
    setError(null);
    setChosen(null);
    if (file.type === "image/svg+xml") return setError("SVG logos are not accepted (they can carry scripts). Upload a PNG, JPEG or WebP image.");
    if (!LOGO_TYPES.includes(file.type)) return setError("Choose a PNG, JPEG or WebP image.");
    if (file.size > LOGO_MAX_BYTES) return setError("The logo must be 1 MB or smaller.");
    setChosen({ file, previewUrl: URL.createObjectURL(file) });
  }

  async function onUpload() {
    if (!chosen || pending) return;
    setPending("upload");
    setError(null);
    const file = chosen.file;
    const result = await stepUp(() => uploadBrandLogo(file));
    setPending(null);
    if (!result) return;
    if (result.ok) {
      onChange(result.data.logo);
      setChosen(null);
      toast.success("Logo updated");
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
    const result = await stepUp(removeBrandLogo);
    setPending(null);
    if (!result) return;
    if (result.ok) {
      onChange(null);
      toast.success("Logo removed");
      router.refresh();
      return;
    }
    setError(result.formError);
  }

  const busy = pending !== null;
  const shown = chosen?.previewUrl ?? logo?.url ?? null;

  return (
    <div className="grid gap-3 border-t border-border px-5 py-5 sm:px-6">
      <div>
        <h3 className="text-sm font-medium text-foreground">Logo</h3>
        <p id={hintId} className="mt-0.5 text-sm text-muted-foreground">
          PNG, JPEG or WebP, up to 1 MB; SVG is not accepted. Shown up to 48 px high beside the name; stored at most 256 px high.
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-5">
        <div className="relative flex h-16 min-w-16 items-center justify-center rounded-lg border border-dashed border-border bg-muted/40 px-3">
          {shown ? (
            // eslint-disable-next-line @next/next/no-img-element -- our own /branding/logo route or a local preview (blob:)
            <img src={shown} alt={chosen ? "Preview of the new logo" : "Current logo"} className="h-12 w-auto max-w-48 object-contain" />
          ) : (
            <span className="text-xs text-muted-foreground">No logo</span>
          )}
          {pending === "upload" ? (
            <span className="absolute inset-0 flex items-center justify-center rounded-lg bg-black/40">
              <Spinner className="size-5 text-white" />
            </span>
          ) : null}
        </div>
        <ImageChooser
          inputRef={inputRef}
          inputId={inputId}
          accept={LOGO_TYPES}
          describedBy={hintId}
          chosenName={chosen?.file.name ?? null}
          status={logo ? "The logo shows on every page and in emails." : "No logo: the default mark shows."}
          chooseLabel={logo ? "Replace logo" : "Upload logo"}
          saveLabel="Save logo"
          saving={pending === "upload"}
          busy={busy}
          error={error}
          onChoose={onChoose}
          onSave={onUpload}
          onCancel={() => setChosen(null)}
          removeControl={
            logo ? (
              <ConfirmDialog
                trigger={
                  <>
                    <Trash2 aria-hidden="true" className="size-4" />
                    Remove
                  </>
                }
                title="Remove the logo?"
                description="Pages and emails show the default mark and the instance name instead."
                confirmLabel="Remove logo"
                loading={pending === "remove"}
                disabled={busy}
                onConfirm={() => void onRemove()}
              />
            ) : null
          }
        />
      </div>
    </div>
  );
}
