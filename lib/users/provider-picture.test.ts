import http from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { importProviderPicture, isFetchablePictureUrl } from "./provider-picture";

let server: http.Server;
let base: string;
let png: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#3366cc" } }).png().toBuffer();
  server = http.createServer((request, response) => {
    if (request.url === "/picture.png") {
      response.writeHead(200, { "content-type": "image/png" });
      response.end(png);
    } else if (request.url === "/page.html") {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>not a picture</html>");
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const anyUrl = () => true;

describe("importing the provider's picture (S5)", () => {
  it("copies it, re-encoded, as the avatar of a user who has none", async () => {
    const { userId } = await signedUpUser();
    expect(await importProviderPicture(userId, `${base}/picture.png`, anyUrl)).toBe(true);
    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { avatar: true } });
    expect(user.imageUrl).toMatch(new RegExp(`^/avatars/${userId}\\?v=`));
    expect(user.avatar).toMatchObject({ contentType: "image/webp", width: 512, height: 512 });
  });

  it("keeps a picture the user already has, and skips what is not an image", async () => {
    const { userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { imageUrl: "/avatars/own" } });
    expect(await importProviderPicture(userId, `${base}/picture.png`, anyUrl)).toBe(false);
    const other = await signedUpUser();
    expect(await importProviderPicture(other.userId, `${base}/page.html`, anyUrl)).toBe(false);
    expect(await importProviderPicture(other.userId, `${base}/missing.png`, anyUrl)).toBe(false);
    expect((await db.user.findUniqueOrThrow({ where: { id: other.userId } })).imageUrl).toBeNull();
  });

  it("fetches only public https URLs", () => {
    expect(isFetchablePictureUrl("https://lh3.googleusercontent.com/a/abc=s96-c")).toBe(true);
    for (const url of [
      "http://example.com/a.png",
      "https://localhost/a.png",
      "https://127.0.0.1/a.png",
      "https://2130706433/a.png",
      "https://0x7f000001/a.png",
      "https://[::1]/a.png",
      "https://metadata.google.internal/a.png",
      "https://user:pass@example.com/a.png",
      "javascript:alert(1)",
    ]) {
      expect(isFetchablePictureUrl(url), url).toBe(false);
    }
  });
});
