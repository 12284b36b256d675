/** Metadata documents of the seeded collections: the real variety wallets and explorers meet. */

export const SQUID_CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'

const COLORS = ['#ff6b6b', '#4ecdc4', '#ffe66d', '#a29bfe', '#fd79a8', '#55efc4']
const EYES = ['Big', 'Small', 'Sleepy', 'Laser']

export function squidSvg(id: number, level: number): string {
  const color = COLORS[id % COLORS.length]
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="${color}"/><circle cx="50" cy="45" r="25" fill="#fff"/><text x="50" y="90" text-anchor="middle" font-size="12">Squid #${id} L${level}</text></svg>`
}

/** ERC-721 / OpenSea shape; even ids use the attributes object form, odd ids the array form. */
export function squidDoc(id: number, level: number, imageBase: string): unknown {
  const traits = { Eyes: EYES[id % EYES.length], Color: COLORS[id % COLORS.length] }
  return {
    name: `Squid #${id}`,
    description: 'A squid from the local IPFS gateway. Its level rises with the live activity.',
    image: `ipfs://${SQUID_CID}/images/${id}.svg`,
    external_url: `${imageBase}/squids/${id}`,
    attributes:
      id % 2 === 0
        ? { ...traits, Level: level }
        : [
            { trait_type: 'Eyes', value: traits.Eyes },
            { trait_type: 'Color', value: traits.Color },
            { trait_type: 'Level', value: level, display_type: 'number', max_value: 100 },
            { display_type: 'date', trait_type: 'Hatched', value: 1_700_000_000 + id * 86_400 },
          ],
  }
}

/** A fully on-chain token: base64 JSON with an SVG data URI image. */
export function glyphUri(id: number): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#111"/><text x="32" y="40" fill="${COLORS[id % COLORS.length]}" font-size="28" text-anchor="middle">${String.fromCharCode(65 + (id % 26))}</text></svg>`
  const doc = {
    name: `Glyph ${String.fromCharCode(65 + (id % 26))}${id}`,
    description: 'Metadata and image stored on chain.',
    image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    attributes: [{ trait_type: 'Letter', value: String.fromCharCode(65 + (id % 26)) }],
  }
  return `data:application/json;base64,${Buffer.from(JSON.stringify(doc)).toString('base64')}`
}

const ITEM_NAMES: Record<string, string[]> = {
  en: ['', 'Sword', 'Shield', 'Potion', 'Map', 'Lantern'],
  fr: ['', 'Épée', 'Bouclier', 'Potion', 'Carte', 'Lanterne'],
  es: ['', 'Espada', 'Escudo', 'Poción', 'Mapa', 'Linterna'],
}

/** ERC-1155 with `{id}` URIs and a localized document per the ERC-1155 metadata rules. */
export function itemDoc(id: number, base: string): unknown {
  return {
    name: ITEM_NAMES.en[id],
    description: `Game item ${id}`,
    image: `${base}/items/images/{id}.svg`,
    properties: { rarity: id > 3 ? 'rare' : 'common', stackable: true },
    localization: { uri: `${base}/items/{locale}/{id}.json`, default: 'en', locales: ['en', 'fr', 'es'] },
  }
}

export function localizedItemDoc(id: number, locale: 'fr' | 'es'): unknown {
  return { name: ITEM_NAMES[locale][id], description: locale === 'fr' ? `Objet de jeu ${id}` : `Objeto de juego ${id}` }
}

/** SIP-016 with localization: the localized document replaces attributes and merges properties. */
export function stacksNftDoc(id: number, level: number, base: string): unknown {
  return {
    sip: 16,
    name: `Stacks Punk #${id}`,
    description: 'A SIP-009 token with SIP-016 metadata.',
    image: `${base}/stacks/images/${id}.svg`,
    attributes: [
      { trait_type: 'hair', value: id % 2 ? 'red' : 'blue' },
      { trait_type: 'level', value: level, display_type: 'number' },
    ],
    properties: { collection: 'Stacks Punks', total_supply: '1000' },
    localization: { uri: `${base}/stacks/nft/{id}-{locale}.json`, default: 'en', locales: ['en', 'de'] },
  }
}

export function stacksNftGerman(id: number, level: number): unknown {
  return {
    sip: 16,
    name: `Stacks Punk Nr. ${id}`,
    attributes: [
      { trait_type: 'Haare', value: id % 2 ? 'rot' : 'blau' },
      { trait_type: 'Stufe', value: level, display_type: 'number' },
    ],
    properties: { motto: 'Immer weiter' },
  }
}
