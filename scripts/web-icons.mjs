// Writes the cockpit's PNG icons (web/public/icon-192.png, icon-512.png): the same picture as
// icon.svg (three white dots on a blue rounded square), drawn pixel by pixel, so no image tool
// is needed. Run by hand when the icon changes; the PNGs are committed.

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

function icon(size) {
  const s = size / 64;
  const dots = [
    [22, 26],
    [42, 26],
    [32, 44],
  ];
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / s;
      const v = (y + 0.5) / s;
      // Rounded square, radius 14.
      const cx = Math.min(Math.max(u, 14), 50);
      const cy = Math.min(Math.max(v, 14), 50);
      const inside = (u - cx) ** 2 + (v - cy) ** 2 <= 14 * 14;
      const dot = dots.some(([dx, dy]) => (u - dx) ** 2 + (v - dy) ** 2 <= 49);
      const px = !inside ? [0, 0, 0, 0] : dot ? [255, 255, 255, 255] : [0x1f, 0x5f, 0x8b, 255];
      row.set(px, 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512]) writeFileSync(`web/public/icon-${size}.png`, icon(size));
