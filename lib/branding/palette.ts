/**
 * The brand colour as the pages and emails use it (S11, WCAG 2.1 AA). Pure
 * and dependency-free: the root layout builds its CSS from it on the server,
 * the admin's colour picker previews with it in the browser.
 *
 * One admin-chosen colour serves as a button background (with white or
 * near-black text, whichever reads better) and as link / focus-ring colour on
 * the page's surfaces. Where the chosen colour cannot do that at 4.5:1 in a
 * scheme, it is darkened (light scheme) or lightened (dark scheme) just enough:
 * indigo #4f46e5 stays as it is in light mode and becomes a lighter indigo in
 * dark mode (app/globals.css holds these defaults for when no settings apply).
 */

export type Theme = "system" | "light" | "dark";
export const THEMES: readonly Theme[] = ["system", "light", "dark"];

export const DEFAULT_BRAND_COLOR = "#4f46e5";
/** WCAG 2.1 AA for normal-size text (button labels, links). */
export const AA_TEXT_CONTRAST = 4.5;

const WHITE = "#ffffff";
/** The near-black of the palette (app/globals.css --foreground in dark mode's background). */
export const NEAR_BLACK = "#09090b";
/** The surfaces brand-coloured text sits on, per scheme (app/globals.css: --card, --background, --muted). */
const SURFACES = {
  light: ["#ffffff", "#f6f6f7", "#f1f1f3"],
  dark: ["#111114", "#09090b", "#1c1c21"],
} as const;

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

export function isHexColor(value: unknown): value is string {
  return typeof value === "string" && HEX_COLOR.test(value);
}

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function toHex([r, g, b]: readonly number[]): string {
  return `#${[r, g, b].map((channel) => Math.round(channel!).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG 2.1 relative luminance of an sRGB colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2.1 contrast ratio, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (lighter! + 0.05) / (darker! + 0.05);
}

/** `hex` moved `amount` (0 to 1) of the way to `target`, per sRGB channel. */
export function mixColors(hex: string, target: string, amount: number): string {
  const from = channels(hex);
  const to = channels(target);
  return toHex(from.map((channel, index) => channel + (to[index]! - channel) * amount));
}

/** The smallest step of `hex` toward `target` (1% at a time) that passes `passes`; `target` itself at worst. */
function nudgeUntil(hex: string, target: string, passes: (color: string) => boolean): string {
  for (let percent = 0; percent <= 100; percent++) {
    const color = mixColors(hex, target, percent / 100);
    if (passes(color)) return color;
  }
  return target;
}

/** White or near-black, whichever contrasts more with `background`. */
export function readableTextOn(background: string): string {
  return contrastRatio(background, WHITE) >= contrastRatio(background, NEAR_BLACK) ? WHITE : NEAR_BLACK;
}

export type BrandColors = {
  /** Button background, links, focus rings: >= 4.5:1 on every surface of its scheme. */
  primary: string;
  /** Text on `primary` (white or near-black): >= 4.5:1. */
  foreground: string;
  /** `primary` on hover: one step further from `foreground`, so the contrast only grows. */
  hover: string;
};

/**
 * A colour for a button with text on it: `background` itself when white or
 * near-black text reaches 4.5:1 on it (the common case), else nudged away from
 * that text colour until it does.
 */
export function buttonColors(background: string): { background: string; foreground: string } {
  const foreground = readableTextOn(background);
  const away = foreground === WHITE ? "#000000" : WHITE;
  const adjusted = nudgeUntil(background, away, (color) => contrastRatio(color, foreground) >= AA_TEXT_CONTRAST);
  return { background: adjusted, foreground };
}

function schemeColors(brandColor: string, scheme: "light" | "dark"): BrandColors {
  // Light surfaces need a darker colour, dark ones a lighter one.
  const away = scheme === "light" ? "#000000" : WHITE;
  const onSurfaces = nudgeUntil(brandColor, away, (color) =>
    SURFACES[scheme].every((surface) => contrastRatio(color, surface) >= AA_TEXT_CONTRAST),
  );
  const { background: primary, foreground } = buttonColors(onSurfaces);
  const hover = mixColors(primary, foreground === WHITE ? "#000000" : WHITE, 0.12);
  return { primary, foreground, hover };
}

export type BrandPalette = { light: BrandColors; dark: BrandColors };

/** The brand colours for both schemes. An invalid colour (it never should be: settings validate it) falls back to the default. */
export function brandPalette(brandColor: string): BrandPalette {
  const color = isHexColor(brandColor) ? brandColor.toLowerCase() : DEFAULT_BRAND_COLOR;
  return { light: schemeColors(color, "light"), dark: schemeColors(color, "dark") };
}

function variables(colors: BrandColors): string {
  return `--brand-primary:${colors.primary};--brand-primary-foreground:${colors.foreground};--brand-primary-hover:${colors.hover}`;
}

/**
 * The root layout's brand stylesheet: the brand variables of app/globals.css
 * for the instance's colour, per the theme. `html:root` outranks globals.css's
 * `:root` rules wherever the two end up in <head>. Only validated hex colours
 * reach the output, so it is safe inside a <style> element.
 */
export function brandStyleSheet({ brandColor, theme }: { brandColor: string; theme: Theme }): string {
  const { light, dark } = brandPalette(brandColor);
  if (theme === "light") return `html:root{${variables(light)}}`;
  if (theme === "dark") return `html:root{${variables(dark)}}`;
  return `html:root{${variables(light)}}@media (prefers-color-scheme: dark){html:root{${variables(dark)}}}`;
}
