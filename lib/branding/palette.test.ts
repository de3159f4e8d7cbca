import { describe, expect, it } from "vitest";
import {
  AA_TEXT_CONTRAST,
  NEAR_BLACK,
  brandPalette,
  brandStyleSheet,
  buttonColors,
  contrastRatio,
  mixColors,
  readableTextOn,
  relativeLuminance,
} from "./palette";

const LIGHT_SURFACES = ["#ffffff", "#f6f6f7", "#f1f1f3"];
const DARK_SURFACES = ["#111114", "#09090b", "#1c1c21"];

describe("WCAG maths", () => {
  it("luminance and contrast match the WCAG 2.1 definitions", () => {
    expect(relativeLuminance("#ffffff")).toBeCloseTo(1, 6);
    expect(relativeLuminance("#000000")).toBe(0);
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 6);
    expect(contrastRatio("#ffffff", "#000000")).toBeCloseTo(21, 6);
    // Reference values (WebAIM contrast checker).
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
    expect(contrastRatio("#4f46e5", "#ffffff")).toBeCloseTo(6.29, 2);
    expect(mixColors("#000000", "#ffffff", 0.5)).toBe("#808080");
    expect(mixColors("#4f46e5", "#ffffff", 0)).toBe("#4f46e5");
  });

  it("picks white text on dark colours and near-black on light ones", () => {
    expect(readableTextOn("#4f46e5")).toBe("#ffffff");
    expect(readableTextOn("#1e3a8a")).toBe("#ffffff");
    expect(readableTextOn("#facc15")).toBe(NEAR_BLACK); // yellow
    expect(readableTextOn("#a3e635")).toBe(NEAR_BLACK); // lime
    expect(readableTextOn("#ffffff")).toBe(NEAR_BLACK);
  });
});

describe("brandPalette: AA whatever the admin picks", () => {
  const samples = ["#4f46e5", "#0f766e", "#facc15", "#a3e635", "#ff0000", "#777777", "#808080", "#ffffff", "#000000", "#ec4899", "#06b6d4", "#1e1b4b"];

  it.each(samples)("%s: button text >= 4.5:1 on the button (and on hover), the colour >= 4.5:1 on every surface", (color) => {
    const { light, dark } = brandPalette(color);
    for (const [scheme, surfaces] of [
      [light, LIGHT_SURFACES],
      [dark, DARK_SURFACES],
    ] as const) {
      expect(contrastRatio(scheme.primary, scheme.foreground)).toBeGreaterThanOrEqual(AA_TEXT_CONTRAST);
      expect(contrastRatio(scheme.hover, scheme.foreground)).toBeGreaterThanOrEqual(contrastRatio(scheme.primary, scheme.foreground));
      for (const surface of surfaces) expect(contrastRatio(scheme.primary, surface)).toBeGreaterThanOrEqual(AA_TEXT_CONTRAST);
      expect([`#ffffff`, NEAR_BLACK]).toContain(scheme.foreground);
    }
  });

  it("keeps a colour that already works as it is: the default indigo with white text in light mode", () => {
    expect(brandPalette("#4f46e5").light).toMatchObject({ primary: "#4f46e5", foreground: "#ffffff" });
    expect(brandPalette("#4F46E5").light.primary).toBe("#4f46e5");
  });

  it("lightens a dark colour for dark mode, just enough, and puts near-black text on it", () => {
    const { dark } = brandPalette("#4f46e5");
    expect(dark.primary).not.toBe("#4f46e5");
    expect(dark.foreground).toBe(NEAR_BLACK);
    // Just enough: one step less would fail on the darkest surface.
    expect(relativeLuminance(dark.primary)).toBeGreaterThan(relativeLuminance("#4f46e5"));
    expect(contrastRatio(dark.primary, "#1c1c21")).toBeLessThan(AA_TEXT_CONTRAST + 0.3);
  });

  it("darkens a light colour for light mode (yellow is unreadable as link text on white)", () => {
    const { light, dark } = brandPalette("#facc15");
    expect(light.primary).not.toBe("#facc15");
    expect(relativeLuminance(light.primary)).toBeLessThan(relativeLuminance("#facc15"));
    expect(dark.primary).toBe("#facc15"); // bright yellow is fine on dark surfaces
    expect(dark.foreground).toBe(NEAR_BLACK);
  });

  it("buttonColors: a mid-tone neither text colour reaches 4.5:1 on is nudged until one does", () => {
    // Around 18% luminance white and near-black text both fall short of 4.5:1.
    const midTone = "#777777";
    expect(Math.max(contrastRatio(midTone, "#ffffff"), contrastRatio(midTone, NEAR_BLACK))).toBeLessThan(AA_TEXT_CONTRAST);
    const { background, foreground } = buttonColors(midTone);
    expect(background).not.toBe(midTone);
    expect(contrastRatio(background, foreground)).toBeGreaterThanOrEqual(AA_TEXT_CONTRAST);
    // A colour that works is left alone.
    expect(buttonColors("#0f766e")).toEqual({ background: "#0f766e", foreground: "#ffffff" });
  });

  it("an invalid colour (never stored: settings validate it) falls back to the default", () => {
    expect(brandPalette("red")).toEqual(brandPalette("#4f46e5"));
    expect(brandPalette("#12345")).toEqual(brandPalette("#4f46e5"));
  });
});

describe("brandStyleSheet: the root layout's brand CSS", () => {
  const vars = (css: string) => [...css.matchAll(/--brand-primary(?:-foreground|-hover)?:#[0-9a-f]{6}/g)].map((m) => m[0]);

  it("system: the light colours, and the dark ones under prefers-color-scheme: dark", () => {
    const { light, dark } = brandPalette("#0f766e");
    const css = brandStyleSheet({ brandColor: "#0f766e", theme: "system" });
    expect(css).toBe(
      `html:root{--brand-primary:${light.primary};--brand-primary-foreground:${light.foreground};--brand-primary-hover:${light.hover}}` +
        `@media (prefers-color-scheme: dark){html:root{--brand-primary:${dark.primary};--brand-primary-foreground:${dark.foreground};--brand-primary-hover:${dark.hover}}}`,
    );
  });

  it("light and dark: only that scheme's colours, no media query", () => {
    const { light, dark } = brandPalette("#0f766e");
    const lightCss = brandStyleSheet({ brandColor: "#0f766e", theme: "light" });
    expect(lightCss).not.toContain("@media");
    expect(lightCss).toContain(`--brand-primary:${light.primary};`);
    const darkCss = brandStyleSheet({ brandColor: "#0f766e", theme: "dark" });
    expect(darkCss).not.toContain("@media");
    expect(darkCss).toContain(`--brand-primary:${dark.primary};`);
    expect(vars(darkCss)).toHaveLength(3);
  });

  it("picks the text colour by contrast: white on teal, near-black on yellow", () => {
    expect(brandStyleSheet({ brandColor: "#0f766e", theme: "light" })).toContain("--brand-primary-foreground:#ffffff;");
    expect(brandStyleSheet({ brandColor: "#facc15", theme: "dark" })).toContain(`--brand-primary-foreground:${NEAR_BLACK};`);
  });

  it("cannot be made to close the <style> element: only hex colours reach it", () => {
    const css = brandStyleSheet({ brandColor: "#000000</style><script>alert(1)</script>", theme: "light" });
    expect(css).not.toMatch(/[<>]/);
    expect(css).toBe(brandStyleSheet({ brandColor: "#4f46e5", theme: "light" }));
  });

  it("the defaults in app/globals.css are what the palette computes for the default colour", async () => {
    const { readFile } = await import("node:fs/promises");
    const globals = await readFile(new URL("../../app/globals.css", import.meta.url), "utf8");
    const { light, dark } = brandPalette("#4f46e5");
    const [lightBlock, darkBlock] = globals.split("@variant dark");
    expect(lightBlock).toContain(`--brand-primary: ${light.primary};`);
    expect(lightBlock).toContain(`--brand-primary-foreground: ${light.foreground};`);
    expect(lightBlock).toContain(`--brand-primary-hover: ${light.hover};`);
    expect(darkBlock).toContain(`--brand-primary-foreground: ${dark.foreground};`);
    expect(darkBlock).toContain(`--brand-primary-hover: ${dark.hover};`);
    expect(darkBlock).toContain(`--brand-primary: ${dark.primary};`);
  });
});
