import sharp from 'sharp'

const PALETTE = ['#ff6b6b', '#4ecdc4', '#ffe66d', '#a29bfe', '#fd79a8', '#55efc4']

/** A 16 x 16 pattern scaled to 512 px (nearest neighbour): a crisp pixel-art PNG. */
async function pixelPng(id: number, shift = 0): Promise<Buffer> {
  const size = 16
  const raw = Buffer.alloc(size * size * 3)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = PALETTE[(x * (id + 1) + y * 3 + shift + ((x ^ y) & id)) % PALETTE.length]!
      const at = (y * size + x) * 3
      raw[at] = parseInt(c.slice(1, 3), 16)
      raw[at + 1] = parseInt(c.slice(3, 5), 16)
      raw[at + 2] = parseInt(c.slice(5, 7), 16)
    }
  }
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } })
    .resize(512, 512, { kernel: 'nearest' })
    .png()
    .toBuffer()
}

/** Even ids: a PNG; odd ids: an animated GIF of 6 frames (its thumbnails stay animated). */
export async function pixelImage(id: number): Promise<{ body: Buffer; contentType: string; ext: string }> {
  if (id % 2 === 0) return { body: await pixelPng(id), contentType: 'image/png', ext: 'png' }
  const frames = await Promise.all(Array.from({ length: 6 }, (_, i) => pixelPng(id, i)))
  const body = await sharp(frames, { join: { animated: true } })
    .resize(256, 256, { kernel: 'nearest' })
    .gif({ delay: Array(6).fill(150), loop: 0 })
    .toBuffer()
  return { body, contentType: 'image/gif', ext: 'gif' }
}

export function pixelDoc(id: number, image: string): unknown {
  return {
    name: `Pixel #${id}`,
    description: id % 2 === 0 ? 'A PNG image.' : 'An animated GIF image.',
    image,
    attributes: [{ trait_type: 'Format', value: id % 2 === 0 ? 'PNG' : 'GIF' }],
  }
}
