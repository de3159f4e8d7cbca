import { NextRequest } from "next/server";
import sharp from "sharp";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELETE as removeLogoRoute, GET as currentLogoRoute, POST as uploadLogoRoute } from "@/app/api/admin/branding/logo/route";
import { GET as logoImageRoute } from "@/app/branding/logo/route";
import { resetConfigCache } from "@/lib/config";
import { db } from "@/lib/db";
import { isPublicRoute } from "@/lib/edge";
import { prepareEmail } from "@/lib/email";
import { forgetCachedSettings, instanceSettingsDefaults, readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { signedUpUser } from "@/test/fixtures";
import { pngBomb, pngImage } from "@/test/images";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";
import { brandPalette, contrastRatio, getBranding, LOGO_MESSAGES, setBrandingCacheTtlForTests } from "./index";

type ErrorBody = { errors: { code: string; message: string; field?: string }[] };
type LogoBody = { logo: { url: string; width: number; height: number } | null };

async function signedInAdmin() {
  const user = await signedUpUser();
  await db.user.update({ where: { id: user.userId }, data: { role: "admin" } });
  return user;
}

function upload(jar: CookieJar, file: Blob, name = "logo.png", headers: Record<string, string> = {}) {
  const form = new FormData();
  form.set("file", file, name);
  return uploadLogoRoute(
    new NextRequest(new URL("/api/admin/branding/logo", ORIGIN), {
      method: "POST",
      headers: { origin: ORIGIN, cookie: jar.header(), "user-agent": "vitest", ...headers },
      body: form,
    }),
  );
}

const removeLogo = (jar: CookieJar) => removeLogoRoute(makeRequest("/api/admin/branding/logo", { method: "DELETE", jar }));
const serveLogo = (query = "", headers: Record<string, string> = {}) => logoImageRoute(makeRequest(`/branding/logo${query}`, { headers }));

async function logoState() {
  const logo = await db.brandLogo.findUnique({ where: { id: "default" } });
  const audits = await db.auditEvent.count({ where: { type: { in: ["branding.logo_updated", "branding.logo_removed"] } } });
  return { logo, audits };
}

/** A logo-like PNG with transparency: a coloured bar on a clear background. */
function transparentPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: { create: { width: Math.ceil(width / 2), height: Math.ceil(height / 2), channels: 4, background: "#0f766e" } }, gravity: "centre" }])
    .png()
    .toBuffer();
}

/** A photo-like PNG well under the 1 MB limit. */
let photo: Buffer;
beforeAll(async () => {
  photo = await pngImage(480, 320);
  expect(photo.byteLength).toBeLessThan(1024 * 1024);
  // Every getBranding() reads the logo's version from the DB: no 5 s cache between the tests' steps.
  setBrandingCacheTtlForTests(0);
});

// Each test starts from a fresh instance: no logo, default settings, no branding events.
beforeEach(async () => {
  await db.brandLogo.deleteMany();
  await db.instanceSettings.deleteMany();
  await db.auditEvent.deleteMany({ where: { type: { in: ["branding.logo_updated", "branding.logo_removed", "settings.updated"] } } });
  forgetCachedSettings();
});

describe("logo upload (S8): POST /api/admin/branding/logo", () => {
  it("accepts a PNG: re-encoded as PNG at most 256 px high (transparency kept), audited, versioned URL everywhere", async () => {
    const { jar, userId } = await signedInAdmin();
    const response = await upload(jar, new Blob([new Uint8Array(await transparentPng(1200, 600))], { type: "image/png" }));
    expect(response.status).toBe(200);
    const { logo: answered } = (await response.json()) as LogoBody;
    const { logo, audits } = await logoState();
    expect(logo).toMatchObject({ contentType: "image/png", width: 512, height: 256 });
    expect(answered).toEqual({ url: `/branding/logo?v=${logo!.etag}`, width: 512, height: 256 });
    expect(audits).toBe(1);
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "branding.logo_updated" } });
    expect(event).toMatchObject({ actorId: userId, userAgent: "vitest" });
    const stored = await sharp(logo!.data).metadata();
    expect(stored).toMatchObject({ format: "png", width: 512, height: 256, hasAlpha: true });

    const branding = await getBranding();
    expect(branding.logoUrl).toBe(`/branding/logo?v=${logo!.etag}`);
    expect(branding.logoSize).toEqual({ width: 512, height: 256 });
    const current = (await (await currentLogoRoute(makeRequest("/api/admin/branding/logo", { jar }))).json()) as LogoBody;
    expect(current.logo).toEqual(answered);
  });

  it("keeps a small logo's size, fits a very wide one into 1024 px, and accepts JPEG and WebP whatever the name says", async () => {
    const { jar } = await signedInAdmin();
    const jpeg = await sharp(await pngImage(120, 40)).jpeg().toBuffer();
    expect((await upload(jar, new Blob([new Uint8Array(jpeg)], { type: "application/octet-stream" }), "logo.txt")).status).toBe(200);
    expect((await logoState()).logo).toMatchObject({ contentType: "image/png", width: 120, height: 40 });
    const wide = await sharp(await pngImage(3000, 300)).webp().toBuffer();
    expect((await upload(jar, new Blob([new Uint8Array(wide)]), "wide.gif")).status).toBe(200);
    expect((await logoState()).logo).toMatchObject({ width: 1024, height: 102 });
    expect(await db.brandLogo.count()).toBe(1);
  });

  it("strips the metadata: EXIF (camera, GPS, comments) does not survive the re-encode", async () => {
    const { jar } = await signedInAdmin();
    const marker = "exif-marker-logo-5d1e";
    const jpeg = await sharp(photo).jpeg().withExif({ IFD0: { Copyright: marker, ImageDescription: marker, Artist: marker } }).toBuffer();
    expect(jpeg.includes(marker)).toBe(true);
    expect((await upload(jar, new Blob([new Uint8Array(jpeg)]), "photo.jpg")).status).toBe(200);
    const { logo } = await logoState();
    expect(Buffer.from(logo!.data).includes(marker)).toBe(false);
    const stored = await sharp(logo!.data).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.icc).toBeUndefined();
    expect(stored.comments ?? []).toEqual([]);
  });

  describe("bad input: a clear 4xx on the file field, and the current logo stays", () => {
    async function expectRefused(send: (jar: CookieJar) => Promise<Response>, status: number, code: string, message: string) {
      const { jar } = await signedInAdmin();
      expect((await upload(jar, new Blob([new Uint8Array(photo)]))).status).toBe(200);
      const before = await logoState();
      const response = await send(jar);
      expect(response.status).toBe(status);
      expect(((await response.json()) as ErrorBody).errors).toEqual([{ code, field: "file", message }]);
      expect(await logoState()).toEqual(before);
    }

    it("a text file renamed .png (sent as image/png)", async () => {
      await expectRefused(
        (jar) => upload(jar, new Blob(["our brand guidelines, not a picture\n"], { type: "image/png" }), "logo.png"),
        415,
        "unsupported_media_type",
        LOGO_MESSAGES.wrongType,
      );
    });

    it("an SVG, as .svg or renamed .png (script risk)", async () => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><script>alert(1)</script><rect width="100" height="40"/></svg>`;
      await expectRefused((jar) => upload(jar, new Blob([svg], { type: "image/svg+xml" }), "logo.svg"), 415, "unsupported_media_type", LOGO_MESSAGES.svg);
      await expectRefused((jar) => upload(jar, new Blob([svg], { type: "image/png" }), "logo.png"), 415, "unsupported_media_type", LOGO_MESSAGES.svg);
    });

    it("a file over 1 MB (a PNG's magic, then padding)", async () => {
      const justOver = new Uint8Array(1024 * 1024 + 10);
      justOver.set(photo.subarray(0, 8));
      await expectRefused((jar) => upload(jar, new Blob([justOver])), 413, "payload_too_large", LOGO_MESSAGES.tooLarge);
    });

    it("a 20000x20000 PNG bomb (a ~50 KB file): refused from its header, before its pixels are decoded", async () => {
      const bomb = pngBomb();
      expect(bomb.byteLength).toBeLessThan(200 * 1024);
      let tookMs = 0;
      await expectRefused(
        async (jar) => {
          // Only the bomb's upload is timed (not the admin's sign-in and the first logo around it):
          // decoding 400 megapixels would take minutes and gigabytes; reading the header, milliseconds.
          const started = Date.now();
          const response = await upload(jar, new Blob([new Uint8Array(bomb)]), "bomb.png");
          tookMs = Date.now() - started;
          return response;
        },
        400,
        "validation_failed",
        LOGO_MESSAGES.tooManyPixels,
      );
      expect(tookMs).toBeLessThan(5_000);
    });

    it("a truncated PNG and an empty file", async () => {
      await expectRefused((jar) => upload(jar, new Blob([new Uint8Array(photo.subarray(0, 200))])), 400, "validation_failed", LOGO_MESSAGES.unreadable);
      await expectRefused((jar) => upload(jar, new Blob([])), 400, "validation_failed", LOGO_MESSAGES.empty);
    });
  });

  it("admins only, recently verified, same-origin: everyone else changes nothing", async () => {
    const member = await signedUpUser();
    const png = () => new Blob([new Uint8Array(photo)]);
    expect((await upload(member.jar, png())).status).toBe(403);
    expect((await removeLogo(member.jar)).status).toBe(403);
    expect((await currentLogoRoute(makeRequest("/api/admin/branding/logo", { jar: member.jar }))).status).toBe(403);
    expect((await upload(new CookieJar(), png())).status).toBe(401);

    const admin = await signedInAdmin();
    expect((await upload(admin.jar, png(), "a.png", { origin: "https://evil.example" })).status).toBe(403);
    // A session last verified 20 minutes ago must confirm it's the admin first (S6 step-up).
    await db.session.updateMany({ where: { userId: admin.userId }, data: { verifiedAt: new Date(Date.now() - 20 * 60_000) } });
    const stale = await upload(admin.jar, png());
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as ErrorBody).errors[0]!.code).toBe("reverification_required");
    expect(((await (await removeLogo(admin.jar)).json()) as ErrorBody).errors[0]!.code).toBe("reverification_required");
    expect(await logoState()).toEqual({ logo: null, audits: 0 });
  });
});

describe("logo removal: DELETE /api/admin/branding/logo", () => {
  it("deletes the logo, audited once; the pages go back to the default mark; the route answers 404", async () => {
    const { jar, userId } = await signedInAdmin();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const response = await removeLogo(jar);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ logo: null });
    expect(await logoState()).toEqual({ logo: null, audits: 2 });
    expect(await db.auditEvent.findFirstOrThrow({ where: { type: "branding.logo_removed" } })).toMatchObject({ actorId: userId });
    expect((await getBranding()).logoUrl).toBeNull();
    expect((await serveLogo()).status).toBe(404);
    // Removing again changes nothing and writes no event.
    expect((await removeLogo(jar)).status).toBe(200);
    expect((await logoState()).audits).toBe(2);
  });
});

describe("serving: GET /branding/logo", () => {
  it("is public (middleware), with a strong ETag, 304 on If-None-Match, immutable only at the current ?v=", async () => {
    expect(isPublicRoute("/branding/logo")).toBe(true);
    expect(isPublicRoute("/branding/logo/other")).toBe(false);
    expect(isPublicRoute("/api/admin/branding/logo")).toBe(false);

    const { jar } = await signedInAdmin();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const { logo } = await logoState();
    const versioned = await serveLogo(`?v=${logo!.etag}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get("content-type")).toBe("image/png");
    expect(versioned.headers.get("etag")).toBe(`"${logo!.etag}"`);
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(versioned.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await versioned.arrayBuffer()).equals(Buffer.from(logo!.data))).toBe(true);
    expect((await serveLogo()).headers.get("cache-control")).toMatch(/^public, max-age=300\b/);
    expect((await serveLogo("?v=old")).headers.get("cache-control")).not.toMatch(/immutable/);

    for (const ifNoneMatch of [`"${logo!.etag}"`, `W/"${logo!.etag}"`, `"x", "${logo!.etag}"`]) {
      const notModified = await serveLogo(`?v=${logo!.etag}`, { "if-none-match": ifNoneMatch });
      expect(notModified.status, ifNoneMatch).toBe(304);
      expect(await notModified.text()).toBe("");
    }
    expect((await serveLogo("", { "if-none-match": '"something-else"' })).status).toBe(200);

    // A new upload is a new version: the old ETag no longer matches.
    await upload(jar, new Blob([new Uint8Array(await pngImage(300, 100))]));
    expect((await serveLogo("", { "if-none-match": `"${logo!.etag}"` })).status).toBe(200);
  });
});

describe("branding settings (S8): instanceName, theme, brandColor", () => {
  async function refused(patch: Record<string, unknown>) {
    const { version } = await readInstanceSettings();
    return updateInstanceSettings(patch, { expectedVersion: version }).then(
      () => null,
      (error: { code: string; fields?: Record<string, string[]> }) => error,
    );
  }

  it("defaults: the environment's name, the system theme, indigo", async () => {
    const defaults = instanceSettingsDefaults();
    expect(defaults).toMatchObject({ instanceName: process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal", theme: "system", brandColor: "#4f46e5" });
    expect(await getBranding()).toMatchObject({ instanceName: defaults.instanceName, theme: "system", brandColor: "#4f46e5", logoUrl: null });
  });

  it("validates each field with a message on it, and writes nothing when one is wrong", async () => {
    const before = await readInstanceSettings();
    for (const [patch, field] of [
      [{ instanceName: "" }, "instanceName"],
      [{ instanceName: "   " }, "instanceName"],
      [{ instanceName: "x".repeat(61) }, "instanceName"],
      [{ instanceName: "Acme\u0000ID" }, "instanceName"],
      [{ instanceName: "Acme\u202eDI" }, "instanceName"], // a bidi override: the name could read backwards
      [{ instanceName: 42 }, "instanceName"],
      [{ theme: "blue" }, "theme"],
      [{ theme: null }, "theme"],
      [{ brandColor: "red" }, "brandColor"],
      [{ brandColor: "#12345" }, "brandColor"],
      [{ brandColor: "#1234567" }, "brandColor"],
      [{ brandColor: "#00ff00; background:url(x)" }, "brandColor"],
      [{ instanceName: "Fine", theme: "dim" }, "theme"],
    ] as const) {
      const error = await refused(patch);
      expect(error?.code, JSON.stringify(patch)).toBe("validation_failed");
      expect(Object.keys(error?.fields ?? {}), JSON.stringify(patch)).toEqual([field]);
    }
    expect(await readInstanceSettings()).toEqual(before);
  });

  it("saves valid values (the name trimmed, 60 characters allowed), audited, and getBranding reads them at once", async () => {
    const { version } = await readInstanceSettings();
    const name = "Ä".repeat(60);
    await updateInstanceSettings({ instanceName: `  ${name} `, theme: "dark", brandColor: "#0F766E" }, { expectedVersion: version });
    expect(await getBranding()).toMatchObject({ instanceName: name, theme: "dark", brandColor: "#0F766E" });
    await updateInstanceSettings({ instanceName: "Acme ID 🔐", theme: "light" }, { expectedVersion: version + 1 });
    expect(await getBranding()).toMatchObject({ instanceName: "Acme ID 🔐", theme: "light" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "settings.updated" }, orderBy: { createdAt: "desc" } });
    expect((audit.data as { changed: Record<string, unknown> }).changed).toMatchObject({ instanceName: { from: name, to: "Acme ID 🔐" }, theme: { from: "dark", to: "light" } });
  });
});

describe("emails carry the branding (S8): rendered through prepareEmail", () => {
  const message = { template: "sign_in_code", code: "246810", link: "http://localhost:3000/sign-in/confirm?token=t", expiresInMinutes: 10 } as const;
  /** The action button's colours, from its inline style. */
  const buttonStyle = (html: string) => {
    const style = html.match(/<a [^>]*style="([^"]*background-color:[^"]*)"/)?.[1] ?? "";
    return { background: style.match(/background-color:(#[0-9a-f]{6})/)?.[1], text: style.match(/(?:^|;)color:(#[0-9a-f]{6})/)?.[1] };
  };

  it("after a brand change: the new name and colour, readable button text, and the logo as an absolute URL", async () => {
    const before = await prepareEmail("someone@example.com", message);
    expect(before.payload.html).not.toContain("#0f766e");
    expect(before.payload.html).not.toContain("<img");

    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ instanceName: "Acme ID", brandColor: "#0f766e" }, { expectedVersion: version });
    const { jar } = await signedInAdmin();
    await upload(jar, new Blob([new Uint8Array(await transparentPng(600, 300))]));
    const { logo } = await logoState();

    const { payload } = await prepareEmail("someone@example.com", message);
    expect(payload.subject).toBe("246810 is your Acme ID sign-in code");
    expect(payload.html).toContain("Acme ID");
    expect(buttonStyle(payload.html)).toEqual({ background: "#0f766e", text: "#ffffff" });
    expect(payload.html).toContain(`src="http://localhost:3000/branding/logo?v=${logo!.etag}"`);
    expect(payload.html).toMatch(/<img[^>]*alt="Acme ID"[^>]*height="40"/);
    expect(payload.text).toContain("Acme ID");
    expect(payload.text).not.toContain("branding/logo");

    // A light colour gets near-black button text, and the name is darkened enough to read on white.
    await updateInstanceSettings({ brandColor: "#facc15" }, { expectedVersion: version + 1 });
    const yellow = await prepareEmail("someone@example.com", message);
    expect(buttonStyle(yellow.payload.html)).toEqual({ background: "#facc15", text: "#09090b" });
    // The name above the heading: yellow on white would be unreadable, so it is darkened to >= 4.5:1.
    const nameColor = yellow.payload.html.match(/<p style="[^"]*color:(#[0-9a-f]{6})[^"]*">Acme ID<\/p>/)?.[1];
    expect(nameColor).toBe(brandPalette("#facc15").light.primary);
    expect(contrastRatio(nameColor!, "#ffffff")).toBeGreaterThanOrEqual(4.5);
  });

  it("without AUTH_URL (the instance URL unknown) the email goes out without the logo", async () => {
    const { jar } = await signedInAdmin();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const authUrl = process.env.AUTH_URL;
    delete process.env.AUTH_URL;
    resetConfigCache();
    try {
      const { payload } = await prepareEmail("someone@example.com", message);
      expect(payload.html).not.toContain("<img");
      expect(payload.html).not.toContain("branding/logo");
    } finally {
      process.env.AUTH_URL = authUrl;
      resetConfigCache();
    }
  });
});
