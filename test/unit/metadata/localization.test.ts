import { describe, expect, it } from 'vitest'
import { PermanentError } from '../../../src/core'
import { localeUris, localizationRule, mergeLocalized, normalizeMetadata, readLocalization } from '../../../src/metadata'

describe('readLocalization and localeUris', () => {
  it('reads the localization block of a raw document', () => {
    const doc = { name: 'x', localization: { uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'de'] } }
    expect(readLocalization(doc)).toEqual({ uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'de'] })
  })

  it('returns undefined for documents without a usable block', () => {
    expect(readLocalization({ name: 'x' })).toBeUndefined()
    expect(readLocalization([1])).toBeUndefined()
    expect(readLocalization({ localization: { uri: 42, locales: ['de'] } })).toBeUndefined()
  })

  it('lists one URI per locale, skipping the default locale the base document already is', () => {
    const info = { uri: 'https://meta.example/{locale}/1.json', default: 'en', locales: ['en', 'es', 'pt-BR'] }
    expect(localeUris(info)).toEqual([
      { locale: 'es', uri: 'https://meta.example/es/1.json' },
      { locale: 'pt-BR', uri: 'https://meta.example/pt-BR/1.json' },
    ])
  })

  it('substitutes {locale} in any case and {id} by the standard rule', () => {
    const info = { uri: 'https://meta.example/{LOCALE}/{id}.json', default: 'en', locales: ['fr'] }
    expect(localeUris(info, { standard: 'ERC1155', tokenId: 1n })).toEqual([{ locale: 'fr', uri: `https://meta.example/fr/${'0'.repeat(63)}1.json` }])
    expect(localeUris(info, { standard: 'SIP013', tokenId: 9n })).toEqual([{ locale: 'fr', uri: 'https://meta.example/fr/9.json' }])
  })

  it('refuses locales that could add path segments or a query to the URI', () => {
    const info = { uri: 'https://meta.example/{locale}.json', locales: ['de', '../admin', 'x?y=1'] }
    expect(localeUris(info).map((l) => l.locale)).toEqual(['de'])
  })

  it('chooses SIP-016 rules for Stacks standards and ERC-1155 rules for EVM standards', () => {
    expect(localizationRule('SIP009')).toBe('sip016')
    expect(localizationRule('ERC1155')).toBe('erc1155')
    expect(localizationRule(undefined, { sip: 16 })).toBe('sip016')
    expect(localizationRule(undefined, { name: 'x' })).toBe('erc1155')
  })
})

describe('mergeLocalized: SIP-016', () => {
  const ctx = { standard: 'SIP009' as const, tokenId: 101n }
  const base = normalizeMetadata(
    {
      sip: 16,
      name: 'Foo #101',
      description: 'A foo',
      image: 'ipfs://cid/101.png',
      attributes: [
        { trait_type: 'hair', value: 'red' },
        { trait_type: 'strength', display_type: 'number', value: 99 },
        { trait_type: 'eyes', value: 'green' },
      ],
      properties: { collection: 'Foo Collection', total_supply: '10000', motto: 'Be foo' },
      localization: { uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'de'] },
    },
    ctx,
  )

  const german = {
    sip: 16,
    name: 'Foo Nr. {id}',
    attributes: [
      { trait_type: 'hair', value: 'rot' },
      { trait_type: 'mood', value: 'fröhlich' },
    ],
    properties: { motto: 'Sei foo', region: 'DACH' },
  }

  it('replaces the attribute list whole with the localized one (trait names are localized too)', () => {
    expect(mergeLocalized(base, german, 'de', ctx).attributes).toEqual([
      { trait_type: 'hair', value: 'rot' },
      { trait_type: 'mood', value: 'fröhlich' },
    ])
  })

  it('merges properties with the localized keys winning', () => {
    expect(mergeLocalized(base, german, 'de', ctx).properties).toEqual({
      collection: 'Foo Collection',
      total_supply: '10000',
      motto: 'Sei foo',
      region: 'DACH',
    })
  })

  it('overrides other fields that the localized document provides and keeps the rest', () => {
    const merged = mergeLocalized(base, german, 'de', ctx)
    expect(merged.name).toBe('Foo Nr. 101')
    expect(merged.description).toBe('A foo')
    expect(merged.image).toBe('ipfs://cid/101.png')
  })

  it('records the locale and keeps the base localization block', () => {
    const merged = mergeLocalized(base, { ...german, localization: { uri: 'https://evil/{locale}', locales: ['xx'] } }, 'de', ctx)
    expect(merged.locale).toBe('de')
    expect(merged.localization).toEqual(base.localization)
  })

  it('does not keep default-language attributes next to translated trait names', () => {
    const multi = normalizeMetadata(
      {
        attributes: [
          { trait_type: 'hair', value: 'red' },
          { trait_type: 'x', value: 1 },
        ],
      },
      ctx,
    )
    const localized = {
      sip: 16,
      attributes: [
        { trait_type: 'Haare', value: 'rot' },
        { trait_type: 'x', value: 1 },
      ],
    }
    expect(mergeLocalized(multi, localized, 'de', ctx).attributes).toEqual([
      { trait_type: 'Haare', value: 'rot' },
      { trait_type: 'x', value: 1 },
    ])
  })

  it('keeps base attributes when the localized document has none', () => {
    expect(mergeLocalized(base, { sip: 16, name: 'Foo' }, 'de', ctx).attributes).toEqual(base.attributes)
  })

  it('does not mutate the base metadata or the localized document', () => {
    const baseBefore = structuredClone(base)
    const germanBefore = structuredClone(german)
    mergeLocalized(base, german, 'de', ctx)
    expect(base).toEqual(baseBefore)
    expect(german).toEqual(germanBefore)
  })
})

describe('mergeLocalized: ERC-1155', () => {
  const ctx = { standard: 'ERC1155' as const, tokenId: 2n }
  const base = normalizeMetadata(
    {
      name: 'Advertising Space',
      description: 'Each token represents a unique Ad space in the city.',
      image: 'https://img.example/{id}.png',
      attributes: [
        { trait_type: 'size', value: 'large' },
        { trait_type: 'city', value: 'Paris' },
      ],
      properties: { color: 'blue', rarity: 'rare' },
      localization: { uri: 'ipfs://cid/{locale}.json', default: 'en', locales: ['en', 'es', 'fr'] },
    },
    ctx,
  )

  const spanish = {
    name: 'Espacio Publicitario',
    description: 'Cada token representa un espacio publicitario único en la ciudad.',
    attributes: [{ trait_type: 'tamaño', value: 'grande' }],
    properties: { color: 'azul' },
  }

  it('lets localized fields override base fields as a whole', () => {
    const merged = mergeLocalized(base, spanish, 'es', ctx)
    expect(merged.name).toBe('Espacio Publicitario')
    expect(merged.description).toBe('Cada token representa un espacio publicitario único en la ciudad.')
    expect(merged.attributes).toEqual([{ trait_type: 'tamaño', value: 'grande' }])
    expect(merged.properties).toEqual({ color: 'azul' })
  })

  it('keeps base fields the localized document leaves out', () => {
    const merged = mergeLocalized(base, spanish, 'es', ctx)
    expect(merged.image).toBe(`https://img.example/${'0'.repeat(63)}2.png`)
    expect(merged.locale).toBe('es')
    expect(merged.localization).toEqual(base.localization)
  })

  it('rejects a localized document that is not a JSON object', () => {
    expect(() => mergeLocalized(base, ['not', 'an', 'object'], 'es', ctx)).toThrow(PermanentError)
  })
})
