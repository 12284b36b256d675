/**
 * Media files for tests, made with sharp (the library under test decodes them; it does not judge
 * them): plain PNGs, an animated GIF, and the hostile inputs of issue 16.
 */
import sharp from 'sharp'

export function png(width: number, height: number, background = '#3366cc'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer()
}

/** An animated GIF of `frames` alternating colours. */
export async function animatedGif(width: number, height: number, frames = 3): Promise<Buffer> {
  const colours = ['#ff0000', '#00ff00', '#0000ff']
  const parts = await Promise.all(Array.from({ length: frames }, (_, i) => png(width, height, colours[i % colours.length])))
  return sharp(parts, { join: { animated: true } })
    .gif({ delay: Array(frames).fill(100), loop: 0 })
    .toBuffer()
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A valid PNG header claiming width x height pixels (8-bit RGB), with a few bytes of image data. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The first half of a real JPEG (no end of image, scan data cut). */
export async function truncatedJpeg(): Promise<Buffer> {
  const noise = Buffer.alloc(256 * 256 * 3)
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251
  const jpeg = await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer()
  return jpeg.subarray(0, Math.floor(jpeg.length / 2))
}

/**
 * An SVG that, rendered by a careless rasteriser, would run a script calling `scriptUrl` and load
 * `externalUrls` (http: and file:) as images painted red over a white background.
 */
export function hostileSvg(scriptUrl: string, externalUrls: readonly string[]): Buffer {
  const images = externalUrls.map((u, i) => `<image href="${u}" xlink:href="${u}" x="${(i % 2) * 50}" y="${Math.floor(i / 2) * 50}" width="50" height="50"/>`).join('\n  ')
  return Buffer.from(`<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100" onload="fetch('${scriptUrl}?onload')">
  <rect width="100" height="100" fill="#ffffff"/>
  <script type="text/javascript">fetch('${scriptUrl}'); new Image().src = '${scriptUrl}?img';</script>
  ${images}
</svg>`)
}
