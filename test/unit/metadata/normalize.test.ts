import { describe, expect, it } from 'vitest'
import { PermanentError } from '../../../src/core'
import { MAX_METADATA_DEPTH, normalizeMetadata } from '../../../src/metadata'

function rejection(doc: unknown): PermanentError {
  try {
    normalizeMetadata(doc, {})
  } catch (e) {
    if (e instanceof PermanentError) return e
    throw e
  }
  throw new Error('expected the document to be rejected')
}

describe('normalizeMetadata: documents that are not metadata', () => {
  it.each([
    ['an array', [{ name: 'x' }]],
    ['a string', '{"name":"x"}'],
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
    ['undefined', undefined],
  ])('rejects %s as metadata_invalid', (_label, doc) => {
    expect(rejection(doc).code).toBe('metadata_invalid')
  })

  it('rejects 100,000-deep JSON without overflowing the stack', () => {
    const depth = 100_000
    const doc: unknown = JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
    const error = rejection(doc)
    expect(error.code).toBe('metadata_invalid')
    expect(error.message).toMatch(/deeper/)
  })

  it('rejects deep nesting hidden inside properties arrays', () => {
    const depth = MAX_METADATA_DEPTH + 5
    const doc = { name: 'x', properties: JSON.parse('{"p":' + '['.repeat(depth) + ']'.repeat(depth) + '}') as unknown }
    expect(rejection(doc).code).toBe('metadata_invalid')
  })

  it('accepts nesting up to the limit', () => {
    const depth = MAX_METADATA_DEPTH - 1
    const doc = JSON.parse('{"name":"ok","properties":' + '{"a":'.repeat(depth - 1) + '1' + '}'.repeat(depth - 1) + '}') as unknown
    expect(normalizeMetadata(doc, {}).name).toBe('ok')
  })

  it('rejects a cyclic object graph instead of looping', () => {
    const doc: Record<string, unknown> = { name: 'loop' }
    doc.self = doc
    expect(rejection(doc).code).toBe('metadata_invalid')
  })
})

describe('normalizeMetadata: ERC-721 / OpenSea shapes', () => {
  it('maps the standard OpenSea fields', () => {
    const doc = {
      name: ' Dave Starbelly ',
      description: 'Friendly OpenSea Creature.',
      image: 'ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/3.png',
      image_data: '<svg></svg>',
      external_url: 'https://openseacreatures.io/3',
      animation_url: 'ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/3.mp4',
      background_color: 'ffffff',
      youtube_url: 'https://youtube.com/watch?v=x',
      attributes: [{ trait_type: 'Base', value: 'Starfish' }],
    }
    expect(normalizeMetadata(doc, { standard: 'ERC721', tokenId: 3n })).toEqual({
      name: 'Dave Starbelly',
      description: 'Friendly OpenSea Creature.',
      image: doc.image,
      image_data: '<svg></svg>',
      external_url: 'https://openseacreatures.io/3',
      animation_url: doc.animation_url,
      background_color: 'ffffff',
      youtube_url: 'https://youtube.com/watch?v=x',
      attributes: [{ trait_type: 'Base', value: 'Starfish' }],
    })
  })

  it('takes the image from image_url when image is missing', () => {
    expect(normalizeMetadata({ name: 'x', image_url: 'https://img.example/1.png' }, {}).image).toBe('https://img.example/1.png')
  })

  it('takes the image from imageUrl when image and image_url are missing', () => {
    expect(normalizeMetadata({ imageUrl: 'https://img.example/2.png' }, {}).image).toBe('https://img.example/2.png')
  })

  it('prefers image over image_url', () => {
    expect(normalizeMetadata({ image: 'https://a/1.png', image_url: 'https://b/1.png' }, {}).image).toBe('https://a/1.png')
  })

  it('leaves out empty and whitespace-only strings', () => {
    const out = normalizeMetadata({ name: '   ', description: '', image: ' ' }, {})
    expect(out).toEqual({})
  })

  it('stringifies a numeric name and drops an object image', () => {
    const out = normalizeMetadata({ name: 1234, image: { url: 'https://x' } }, {})
    expect(out.name).toBe('1234')
    expect(out.image).toBeUndefined()
  })

  it('truncates an oversized name', () => {
    expect(normalizeMetadata({ name: 'n'.repeat(10_000) }, {}).name).toHaveLength(1024)
  })

  it('removes NUL characters, which Postgres text refuses', () => {
    expect(normalizeMetadata({ name: 'a\u0000b' }, {}).name).toBe('ab')
  })

  it('reads the ERC-721 JSON-schema shape where values sit in properties.<field>.description', () => {
    const doc = {
      title: 'Asset Metadata',
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Old Dragon' },
        image: { type: 'string', description: 'https://img.example/dragon.png' },
      },
    }
    const out = normalizeMetadata(doc, {})
    expect(out.name).toBe('Old Dragon')
    expect(out.image).toBe('https://img.example/dragon.png')
  })

  it('does not mutate its input', () => {
    const doc = {
      name: ' x ',
      attributes: '[{"trait_type":"A","value":"{id}"}]',
      properties: { nested: { uri: '{id}' } },
    }
    const before = structuredClone(doc)
    const out = normalizeMetadata(doc, { standard: 'ERC1155', tokenId: 1n })
    expect(doc).toEqual(before)
    expect(out.properties).not.toBe(doc.properties)
  })
})

describe('normalizeMetadata: attributes', () => {
  it('turns the object form into the array form', () => {
    expect(normalizeMetadata({ attributes: { Eyes: 'Big', Level: 5 } }, {}).attributes).toEqual([
      { trait_type: 'Eyes', value: 'Big' },
      { trait_type: 'Level', value: 5 },
    ])
  })

  it('parses attributes given as a JSON string', () => {
    const doc = { attributes: '[{"trait_type":"Hat","value":"Cap"},{"trait_type":"Age","value":3}]' }
    expect(normalizeMetadata(doc, {}).attributes).toEqual([
      { trait_type: 'Hat', value: 'Cap' },
      { trait_type: 'Age', value: 3 },
    ])
  })

  it('parses the object form given as a JSON string', () => {
    expect(normalizeMetadata({ attributes: '{"Eyes":"Big"}' }, {}).attributes).toEqual([{ trait_type: 'Eyes', value: 'Big' }])
  })

  it('drops attributes given as a string that is not JSON', () => {
    expect(normalizeMetadata({ name: 'x', attributes: 'rare, blue' }, {}).attributes).toBeUndefined()
  })

  it('keeps an attribute without trait_type', () => {
    expect(normalizeMetadata({ attributes: [{ value: 'Legendary' }] }, {}).attributes).toEqual([{ value: 'Legendary' }])
  })

  it('keeps a numeric string as a string', () => {
    expect(normalizeMetadata({ attributes: [{ trait_type: 'Power', value: '42' }] }, {}).attributes).toEqual([{ trait_type: 'Power', value: '42' }])
  })

  it('keeps numbers, booleans and nulls with their JSON types', () => {
    const doc = {
      attributes: [{ trait_type: 'Speed', value: 1.5 }, { trait_type: 'Shiny', value: true }, { trait_type: 'Clan', value: null }, { trait_type: 'Missing' }],
    }
    expect(normalizeMetadata(doc, {}).attributes).toEqual([
      { trait_type: 'Speed', value: 1.5 },
      { trait_type: 'Shiny', value: true },
      { trait_type: 'Clan', value: null },
      { trait_type: 'Missing', value: null },
    ])
  })

  it('keeps date display types with their unix-time numbers', () => {
    const doc = { attributes: [{ trait_type: 'Birthday', display_type: 'date', value: 1546360800 }] }
    expect(normalizeMetadata(doc, {}).attributes).toEqual([{ trait_type: 'Birthday', display_type: 'date', value: 1546360800 }])
  })

  it('keeps display_type and max_value', () => {
    const doc = { attributes: [{ trait_type: 'Stamina', display_type: 'number', value: 1.4, max_value: 10 }] }
    expect(normalizeMetadata(doc, {}).attributes).toEqual([{ trait_type: 'Stamina', display_type: 'number', value: 1.4, max_value: 10 }])
  })

  it('reads a max_value given as a decimal string as a number', () => {
    expect(normalizeMetadata({ attributes: [{ trait_type: 'L', value: 3, max_value: '100' }] }, {}).attributes).toEqual([{ trait_type: 'L', value: 3, max_value: 100 }])
  })

  it('stringifies a numeric trait_type and JSON-encodes object values', () => {
    expect(normalizeMetadata({ attributes: [{ trait_type: 7, value: { a: 1 } }] }, {}).attributes).toEqual([{ trait_type: '7', value: '{"a":1}' }])
  })

  it('turns bare strings in the array into trait-less values and skips nulls and arrays', () => {
    expect(normalizeMetadata({ attributes: ['Rare', null, ['x'], 3] }, {}).attributes).toEqual([{ value: 'Rare' }, { value: 3 }])
  })

  it('reads a single attribute object that is not wrapped in an array', () => {
    expect(normalizeMetadata({ attributes: { trait_type: 'Eyes', value: 'Big' } }, {}).attributes).toEqual([{ trait_type: 'Eyes', value: 'Big' }])
  })

  it('honours value objects in the object form', () => {
    expect(normalizeMetadata({ attributes: { Level: { value: 5, display_type: 'number' } } }, {}).attributes).toEqual([{ trait_type: 'Level', value: 5, display_type: 'number' }])
  })

  it('leaves attributes out when the document has none', () => {
    expect(normalizeMetadata({ name: 'x' }, {}).attributes).toBeUndefined()
  })

  it('keeps an explicitly empty attributes array', () => {
    expect(normalizeMetadata({ attributes: [] }, {}).attributes).toEqual([])
  })
})

describe('normalizeMetadata: ERC-1155', () => {
  it('substitutes {id} in JSON string values with 64 hex digits', () => {
    const doc = {
      name: 'Item {id}',
      image: 'https://cdn.example/{id}.png',
      attributes: [{ trait_type: 'Id', value: '{ID}' }],
      properties: { files: [{ uri: 'ipfs://cid/{id}.glb' }] },
    }
    const hex = `${'0'.repeat(62)}1f`
    const out = normalizeMetadata(doc, { standard: 'ERC1155', tokenId: 31n })
    expect(out.name).toBe(`Item ${hex}`)
    expect(out.image).toBe(`https://cdn.example/${hex}.png`)
    expect(out.attributes).toEqual([{ trait_type: 'Id', value: hex }])
    expect(out.properties).toEqual({ files: [{ uri: `ipfs://cid/${hex}.glb` }] })
  })

  it('leaves {id} alone for ERC-721', () => {
    expect(normalizeMetadata({ image: 'https://cdn.example/{id}.png' }, { standard: 'ERC721', tokenId: 1n }).image).toBe('https://cdn.example/{id}.png')
  })

  it('keeps decimals when an integer 0..255', () => {
    expect(normalizeMetadata({ decimals: 18 }, {}).decimals).toBe(18)
    expect(normalizeMetadata({ decimals: '6' }, {}).decimals).toBe(6)
    expect(normalizeMetadata({ decimals: 0 }, {}).decimals).toBe(0)
  })

  it('drops decimals that are fractional, negative, too large or not numbers', () => {
    for (const decimals of [1.5, -1, 256, 'eighteen', null]) {
      expect(normalizeMetadata({ decimals }, {}).decimals).toBeUndefined()
    }
  })

  it('reads ERC-1155 localization and records the default locale', () => {
    const doc = { name: 'Sword', localization: { uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'es', 'fr'] } }
    const out = normalizeMetadata(doc, { standard: 'ERC1155', tokenId: 1n })
    expect(out.localization).toEqual({ uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'es', 'fr'] })
    expect(out.locale).toBe('en')
  })

  it('drops a localization block whose uri has no {locale}', () => {
    expect(normalizeMetadata({ localization: { uri: 'ipfs://cid/x.json', default: 'en', locales: ['es'] } }, {}).localization).toBeUndefined()
  })

  it('keeps only locale tags from the locales list', () => {
    const doc = { localization: { uri: 'https://x/{locale}', default: 'en', locales: ['es', '../../etc', 'pt-BR', 5, 'es'] } }
    expect(normalizeMetadata(doc, {}).localization?.locales).toEqual(['es', 'pt-BR'])
  })
})

describe('normalizeMetadata: SIP-016', () => {
  const sip016 = {
    sip: 16,
    name: 'Foo #101',
    image: 'ipfs://somerandomcid/{id}.png',
    attributes: [
      { trait_type: 'hair', value: 'red' },
      { trait_type: 'strength', display_type: 'number', value: 99 },
    ],
    properties: {
      collection: 'Foo Collection',
      total_supply: '10000',
      external_url: 'https://foo.example/{id}',
      animation_url: { type: 'string', description: 'Animation', value: 'ipfs://cid/anim.mp4' },
    },
    localization: { uri: 'ipfs://somerandomcid/{locale}.json', default: 'en', locales: ['en', 'pt-BR', 'de'] },
  }

  it('maps a SIP-016 document with properties, substituting {id} in decimal', () => {
    const out = normalizeMetadata(sip016, { standard: 'SIP009', tokenId: 101n })
    expect(out).toEqual({
      name: 'Foo #101',
      image: 'ipfs://somerandomcid/101.png',
      external_url: 'https://foo.example/101',
      animation_url: 'ipfs://cid/anim.mp4',
      attributes: sip016.attributes,
      properties: { ...sip016.properties, external_url: 'https://foo.example/101' },
      localization: sip016.localization,
      locale: 'en',
    })
  })

  it('takes the image from properties.image when the top level has none', () => {
    expect(normalizeMetadata({ sip: 16, name: 'x', properties: { image: 'ipfs://cid/p.png' } }, { standard: 'SIP009' }).image).toBe('ipfs://cid/p.png')
  })

  it('takes image_data from properties.image_data (SIP-016 deprecates the top-level field)', () => {
    expect(normalizeMetadata({ sip: 16, properties: { image_data: '<svg/>' } }, { standard: 'SIP009' }).image_data).toBe('<svg/>')
  })

  it('reads SIP-010 fungible metadata with decimals and leaves {id} alone', () => {
    const out = normalizeMetadata({ sip: 16, name: 'Token', decimals: 6, image: 'https://x/{id}.png' }, { standard: 'SIP010', tokenId: 0n })
    expect(out).toEqual({ name: 'Token', decimals: 6, image: 'https://x/{id}.png' })
  })

  it('parses properties given as a JSON string', () => {
    expect(normalizeMetadata({ properties: '{"rarity":"epic"}' }, {}).properties).toEqual({ rarity: 'epic' })
  })

  it('keeps a "__proto__" key as data without changing the prototype', () => {
    const doc = JSON.parse('{"properties":{"__proto__":{"polluted":true},"ok":1}}') as unknown
    const out = normalizeMetadata(doc, {})
    expect(Object.getPrototypeOf(out.properties)).toBe(Object.prototype)
    expect(Object.keys(out.properties ?? {})).toEqual(['__proto__', 'ok'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
