import zlib from "node:zlib";
import sharp from "sharp";

/** Image fixtures for upload tests (avatars, the instance logo). */

/** A photo-like PNG: a colour with noise, so it is not trivially small. */
export function pngImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#3366cc", noise: { type: "gaussian", mean: 128, sigma: 30 } } })
    .png()
    .toBuffer();
}

/**
 * A decompression bomb: a valid PNG claiming 20000x20000 pixels (1.2 GB as
 * RGB once decoded), whose rows are all zeros and so compress to about 50 KB.
 * sharp would take many seconds to *encode* one that size, so the chunks are
 * written here; `sharp(bomb, { limitInputPixels: false }).metadata()` confirms
 * it is a real 20000x20000 PNG.
 */
export function pngBomb(side = 20_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth 1
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + packed pixels
  const pixels = zlib.deflateSync(Buffer.alloc(rowBytes * side), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
