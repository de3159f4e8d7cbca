import { NextRequest } from "next/server";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as removeAvatarRoute, POST as uploadAvatarRoute } from "@/app/api/account/avatar/route";
import { GET as avatarImageRoute } from "@/app/avatars/[userId]/route";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { pngBomb, pngImage } from "@/test/images";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";
import { AVATAR_MESSAGES, generatedAvatarSvg, sniffImageType } from "./avatar";

type ErrorBody = { errors: { code: string; message: string; field?: string }[] };

function upload(jar: CookieJar, file: Blob, name = "avatar.png", headers: Record<string, string> = {}) {
  const form = new FormData();
  form.set("file", file, name);
  const request = new NextRequest(new URL("/api/account/avatar", ORIGIN), {
    method: "POST",
    headers: { origin: ORIGIN, cookie: jar.header(), "user-agent": "vitest", ...headers },
    body: form,
  });
  return uploadAvatarRoute(request);
}

function serveAvatar(userId: string, query = "", headers: Record<string, string> = {}) {
  const request = makeRequest(`/avatars/${userId}${query}`, { headers });
  return avatarImageRoute(request, { params: Promise.resolve({ userId }) });
}

async function state(userId: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { imageUrl: true, avatar: true } });
  const audits = await db.auditEvent.count({ where: { type: "user.updated", targetId: userId } });
  return { imageUrl: user.imageUrl, avatar: user.avatar, audits };
}

/** A body that produces `total` bytes on demand and counts how many were pulled. */
function countingStream(total: number, chunkSize = 64 * 1024) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const size = Math.min(chunkSize, total - pulled);
      pulled += size;
      controller.enqueue(new Uint8Array(size));
    },
  });
  return { stream, pulled: () => pulled };
}

function expectFileError(body: ErrorBody, code: string, message: string) {
  expect(body.errors).toEqual([{ code, field: "file", message }]);
}

let photo: Buffer;
beforeAll(async () => {
  photo = await pngImage(900, 600);
});

describe("avatar upload (S7): POST /api/account/avatar", () => {
  it("re-encodes a PNG to a square WebP of at most 512 px, stores it, points imageUrl at /avatars/<id>?v=<etag>, audited", async () => {
    const { jar, userId } = await signedUpUser();
    const response = await upload(jar, new Blob([new Uint8Array(photo)], { type: "image/png" }));
    expect(response.status).toBe(200);
    const { profile } = await response.json();
    const { avatar, imageUrl, audits } = await state(userId);
    expect(avatar).toMatchObject({ contentType: "image/webp", width: 512, height: 512 });
    expect(imageUrl).toBe(`/avatars/${userId}?v=${avatar!.etag}`);
    expect(profile).toMatchObject({ imageUrl, hasUploadedAvatar: true });
    expect(audits).toBe(1);
    const stored = await sharp(avatar!.data).metadata();
    expect(stored).toMatchObject({ format: "webp", width: 512, height: 512 });
  });

  it("keeps a small picture's size (no enlarging) and accepts JPEG and WebP, sniffed whatever the name and Content-Type say", async () => {
    const { jar, userId } = await signedUpUser();
    const jpeg = await sharp(await pngImage(120, 80)).jpeg().toBuffer();
    expect((await upload(jar, new Blob([new Uint8Array(jpeg)], { type: "application/octet-stream" }), "photo.txt")).status).toBe(200);
    expect((await state(userId)).avatar).toMatchObject({ width: 80, height: 80 });
    const webp = await sharp(await pngImage(300, 300)).webp().toBuffer();
    expect((await upload(jar, new Blob([new Uint8Array(webp)], { type: "image/gif" }), "a.gif")).status).toBe(200);
    expect((await state(userId)).avatar).toMatchObject({ width: 300, height: 300 });
  });

  it("strips the metadata: EXIF (camera, GPS, comments) does not survive the re-encode", async () => {
    const { jar, userId } = await signedUpUser();
    const marker = "exif-marker-7f3a9c";
    const jpeg = await sharp(photo)
      .jpeg()
      .withExif({ IFD0: { Copyright: marker, ImageDescription: marker, Artist: marker } })
      .toBuffer();
    expect(jpeg.includes(marker)).toBe(true);
    expect((await upload(jar, new Blob([new Uint8Array(jpeg)]), "photo.jpg")).status).toBe(200);
    const { avatar } = await state(userId);
    expect(Buffer.from(avatar!.data).includes(marker)).toBe(false);
    const stored = await sharp(avatar!.data).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.icc).toBeUndefined();
  });

  it("a later upload replaces the picture (and a provider's imageUrl); the old version URL is no longer current", async () => {
    const { jar, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { imageUrl: "https://avatars.githubusercontent.com/u/1" } });
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const first = await state(userId);
    await upload(jar, new Blob([new Uint8Array(await pngImage(200, 200))]));
    const second = await state(userId);
    expect(second.avatar!.etag).not.toBe(first.avatar!.etag);
    expect(second.imageUrl).toBe(`/avatars/${userId}?v=${second.avatar!.etag}`);
    expect(await db.avatar.count({ where: { userId } })).toBe(1);
  });

  describe("bad input: a clear 4xx on the file field, and nothing changes", () => {
    async function expectRefused(
      send: (jar: CookieJar) => Promise<Response>,
      status: number,
      code: string,
      message: string,
    ): Promise<void> {
      const { jar, userId } = await signedUpUser();
      // A picture is already there: a refused upload must leave it alone.
      expect((await upload(jar, new Blob([new Uint8Array(photo)]))).status).toBe(200);
      const before = await state(userId);
      const response = await send(jar);
      expect(response.status).toBe(status);
      expectFileError((await response.json()) as ErrorBody, code, message);
      expect(await state(userId)).toEqual(before);
    }

    it("a text file renamed .png (sent as image/png)", async () => {
      await expectRefused(
        (jar) => upload(jar, new Blob(["just some notes, not a picture\n"], { type: "image/png" }), "notes.png"),
        415,
        "unsupported_media_type",
        AVATAR_MESSAGES.wrongType,
      );
    });

    it("an SVG, as .svg or renamed .png", async () => {
      const svg = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`;
      await expectRefused((jar) => upload(jar, new Blob([svg], { type: "image/svg+xml" }), "logo.svg"), 415, "unsupported_media_type", AVATAR_MESSAGES.svg);
      await expectRefused((jar) => upload(jar, new Blob([svg], { type: "image/png" }), "logo.png"), 415, "unsupported_media_type", AVATAR_MESSAGES.svg);
    });

    it("a 20000x20000 PNG bomb (a ~50 KB file): refused from its header, before its pixels are decoded", async () => {
      const bomb = pngBomb();
      expect(bomb.byteLength).toBeLessThan(200 * 1024);
      expect(sniffImageType(bomb)).toBe("png");
      expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ format: "png", width: 20_000, height: 20_000 });
      const started = Date.now();
      await expectRefused(
        (jar) => upload(jar, new Blob([new Uint8Array(bomb)], { type: "image/png" }), "bomb.png"),
        400,
        "validation_failed",
        AVATAR_MESSAGES.tooManyPixels,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("a 20 MB upload with its Content-Length: refused before the body is read", async () => {
      const { jar, userId } = await signedUpUser();
      const before = await state(userId);
      const body = countingStream(20 * 1024 * 1024);
      const response = await uploadAvatarRoute(
        new NextRequest(new URL("/api/account/avatar", ORIGIN), {
          method: "POST",
          headers: {
            origin: ORIGIN,
            cookie: jar.header(),
            "content-type": "multipart/form-data; boundary=x",
            "content-length": String(20 * 1024 * 1024),
          },
          body: body.stream,
          duplex: "half",
        } as ConstructorParameters<typeof NextRequest>[1]),
      );
      expect(response.status).toBe(413);
      expectFileError((await response.json()) as ErrorBody, "payload_too_large", AVATAR_MESSAGES.tooLarge);
      expect(body.pulled()).toBeLessThanOrEqual(2 * 64 * 1024); // at most what the stream buffered ahead
      expect(await state(userId)).toEqual(before);
    });

    it("a 20 MB upload without a Content-Length (chunked): reading stops just past the 2 MB cap", async () => {
      const { jar, userId } = await signedUpUser();
      const before = await state(userId);
      const body = countingStream(20 * 1024 * 1024);
      const response = await uploadAvatarRoute(
        new NextRequest(new URL("/api/account/avatar", ORIGIN), {
          method: "POST",
          headers: { origin: ORIGIN, cookie: jar.header(), "content-type": "multipart/form-data; boundary=x" },
          body: body.stream,
          duplex: "half",
        } as ConstructorParameters<typeof NextRequest>[1]),
      );
      expect(response.status).toBe(413);
      expectFileError((await response.json()) as ErrorBody, "payload_too_large", AVATAR_MESSAGES.tooLarge);
      expect(body.pulled()).toBeLessThan(3 * 1024 * 1024);
      expect(await state(userId)).toEqual(before);
    });

    it("a file just over 2 MB inside a body the envelope allowance lets through", async () => {
      const justOver = new Uint8Array(2 * 1024 * 1024 + 10);
      justOver.set(photo.subarray(0, 8)); // PNG magic: the size is refused first
      await expectRefused((jar) => upload(jar, new Blob([justOver])), 413, "payload_too_large", AVATAR_MESSAGES.tooLarge);
    });

    it("a truncated PNG (right magic, broken data), an empty file, and no file at all", async () => {
      await expectRefused((jar) => upload(jar, new Blob([new Uint8Array(photo.subarray(0, 200))])), 400, "validation_failed", AVATAR_MESSAGES.unreadable);
      await expectRefused((jar) => upload(jar, new Blob([])), 400, "validation_failed", AVATAR_MESSAGES.empty);
      await expectRefused(
        (jar) => {
          const form = new FormData();
          form.set("file", "not a file");
          return uploadAvatarRoute(
            new NextRequest(new URL("/api/account/avatar", ORIGIN), { method: "POST", headers: { origin: ORIGIN, cookie: jar.header() }, body: form }),
          );
        },
        400,
        "validation_failed",
        AVATAR_MESSAGES.empty,
      );
    });

    it("JSON instead of multipart, a cross-site upload, and no session", async () => {
      const { jar, userId } = await signedUpUser();
      const json = await uploadAvatarRoute(makeRequest("/api/account/avatar", { body: { file: "x" }, jar }));
      expect(json.status).toBe(415);
      const crossSite = await upload(jar, new Blob([new Uint8Array(photo)]), "a.png", { origin: "https://evil.example" });
      expect(crossSite.status).toBe(403);
      expect((await upload(new CookieJar(), new Blob([new Uint8Array(photo)]))).status).toBe(401);
      expect(await state(userId)).toEqual({ imageUrl: null, avatar: null, audits: 0 });
    });
  });
});

describe("avatar removal (S7): DELETE /api/account/avatar", () => {
  it("deletes the upload and resets imageUrl, audited; the route then draws the generated default", async () => {
    const { jar, userId } = await signedUpUser();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const response = await removeAvatarRoute(makeRequest("/api/account/avatar", { method: "DELETE", jar }));
    expect(response.status).toBe(200);
    expect((await response.json()).profile).toMatchObject({ imageUrl: null, hasUploadedAvatar: false });
    expect(await state(userId)).toEqual({ imageUrl: null, avatar: null, audits: 2 });
    const served = await serveAvatar(userId);
    expect(served.headers.get("content-type")).toBe("image/svg+xml");
    // Removing again changes nothing and writes no event.
    expect((await removeAvatarRoute(makeRequest("/api/account/avatar", { method: "DELETE", jar }))).status).toBe(200);
    expect((await state(userId)).audits).toBe(2);
  });

  it("also clears a provider's picture (the generated one shows)", async () => {
    const { jar, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { imageUrl: "https://lh3.googleusercontent.com/a/x" } });
    expect((await removeAvatarRoute(makeRequest("/api/account/avatar", { method: "DELETE", jar }))).status).toBe(200);
    expect(await state(userId)).toEqual({ imageUrl: null, avatar: null, audits: 1 });
  });

  it("refuses a cross-site removal", async () => {
    const { jar, userId } = await signedUpUser();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const before = await state(userId);
    const response = await removeAvatarRoute(makeRequest("/api/account/avatar", { method: "DELETE", jar, headers: { origin: "https://evil.example" } }));
    expect(response.status).toBe(403);
    expect(await state(userId)).toEqual(before);
  });
});

describe("serving (S7): GET /avatars/<userId>", () => {
  it("serves the upload with a strong ETag, 304 on If-None-Match, immutable only for the current ?v=", async () => {
    const { jar, userId } = await signedUpUser();
    await upload(jar, new Blob([new Uint8Array(photo)]));
    const { avatar, imageUrl } = await state(userId);

    const versioned = await serveAvatar(userId, `?v=${avatar!.etag}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get("content-type")).toBe("image/webp");
    expect(versioned.headers.get("etag")).toBe(`"${avatar!.etag}"`);
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(versioned.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(Buffer.from(await versioned.arrayBuffer()).equals(Buffer.from(avatar!.data))).toBe(true);
    expect(imageUrl).toBe(`/avatars/${userId}?v=${avatar!.etag}`);

    const plain = await serveAvatar(userId);
    expect(plain.headers.get("cache-control")).toMatch(/^public, max-age=300\b/);
    const stale = await serveAvatar(userId, "?v=an-old-version");
    expect(stale.headers.get("cache-control")).not.toMatch(/immutable/);

    for (const ifNoneMatch of [`"${avatar!.etag}"`, `W/"${avatar!.etag}"`, `"other", "${avatar!.etag}"`, "*"]) {
      const notModified = await serveAvatar(userId, `?v=${avatar!.etag}`, { "if-none-match": ifNoneMatch });
      expect(notModified.status, ifNoneMatch).toBe(304);
      expect(notModified.headers.get("etag")).toBe(`"${avatar!.etag}"`);
      expect(await notModified.text()).toBe("");
    }
    expect((await serveAvatar(userId, "", { "if-none-match": '"something-else"' })).status).toBe(200);
  });

  it("without an upload: a generated SVG, initials on a gradient from the user id, the same every time", async () => {
    const { jar, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { firstName: "Ada", lastName: "Lovelace" } });
    const first = await serveAvatar(userId);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/svg+xml");
    const svg = await first.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(">AL</text>");
    expect(svg).toMatch(/<linearGradient/);
    expect(svg).not.toMatch(/<script|on\w+=|href=|<style/i);
    const again = await serveAvatar(userId);
    expect(await again.text()).toBe(svg);
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect((await serveAvatar(userId, "", { "if-none-match": first.headers.get("etag")! })).status).toBe(304);
    // The email is never drawn (the route is public); sharp renders the SVG as a real image.
    expect(svg).not.toContain("@");
    expect(await sharp(Buffer.from(svg)).metadata()).toMatchObject({ format: "svg", width: 128, height: 128 });
    void jar;
  });

  it("the generated SVG: deterministic per id, escapes what it draws, an outline without initials", () => {
    const a = generatedAvatarSvg({ id: "user_abc", firstName: "Zoë", lastName: "Ng" });
    expect(generatedAvatarSvg({ id: "user_abc", firstName: "Zoë", lastName: "Ng" })).toBe(a);
    expect(a).toContain(">ZN</text>");
    const colours = (svg: string) => [...svg.matchAll(/stop-color="(#[0-9a-f]{6})"/g)].map((match) => match[1]);
    const ids = Array.from({ length: 40 }, (_, i) => `user_${i}`);
    expect(new Set(ids.map((id) => colours(generatedAvatarSvg({ id })).join())).size).toBeGreaterThan(3);
    const hostile = generatedAvatarSvg({ id: "user_x", firstName: "<b>", lastName: "&amp;" });
    expect(hostile).not.toMatch(/<b>|&amp;/);
    expect(hostile).toMatch(/<circle/); // neither name starts with a letter: the outline
    expect(generatedAvatarSvg({ id: "user_y", username: "ziggy" })).toContain(">Z</text>");
    expect(generatedAvatarSvg({ id: "user_z", firstName: "😀" })).toMatch(/<circle/);
  });

  it("an unknown id gets a generated picture too (no existence oracle); an id that cannot be ours is a 404", async () => {
    const unknown = await serveAvatar("user_doesnotexist123");
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get("content-type")).toBe("image/svg+xml");
    expect((await serveAvatar("../../etc/passwd")).status).toBe(404);
    expect((await serveAvatar("x".repeat(200))).status).toBe(404);
  });
});

describe("sniffImageType", () => {
  it("reads PNG, JPEG and WebP magic numbers, nothing else", async () => {
    const photo = await pngImage(40, 40);
    expect(sniffImageType(await sharp(photo).png().toBuffer())).toBe("png");
    expect(sniffImageType(await sharp(photo).jpeg().toBuffer())).toBe("jpeg");
    expect(sniffImageType(await sharp(photo).webp().toBuffer())).toBe("webp");
    expect(sniffImageType(await sharp(photo).gif().toBuffer())).toBeNull();
    expect(sniffImageType(await sharp(photo).tiff().toBuffer())).toBeNull();
    expect(sniffImageType(Buffer.from("RIFF0000WAVEfmt "))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
  });
});
