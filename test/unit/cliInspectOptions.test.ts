import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/cli/cliErrors'
import { parseInspectOptions, parseStandard, parseTimeout, parseTokenIdOption } from '../../src/cli/inspectOptions'
import { inspectWarnings } from '../../src/cli/inspectWarnings'
import type { LoadedMetadata } from '../../src/metadata/loadMetadata'
import { PermanentError } from '../../src/core/errors'
import { JSON5_WARNING } from '../../src/metadata/fetcher'

function usageMessage(run: () => unknown): string {
  try {
    run()
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    return (e as Error).message
  }
  throw new Error('expected a UsageError')
}

describe('inspect options', () => {
  it('accepts decimal, zero-padded decimal and 0x hex token ids, up to uint256', () => {
    expect(parseTokenIdOption('0')).toBe(0n)
    expect(parseTokenIdOption('007')).toBe(7n)
    expect(parseTokenIdOption('0x1f')).toBe(31n)
    expect(parseTokenIdOption((2n ** 256n - 1n).toString())).toBe(2n ** 256n - 1n)
  })

  it('rejects negative, non-numeric and out-of-range token ids, naming the value', () => {
    for (const bad of ['-1', 'abc', '1.5', '1e3', '', (2n ** 256n).toString(), `0x${'f'.repeat(65)}`]) {
      expect(usageMessage(() => parseTokenIdOption(bad))).toContain(JSON.stringify(bad))
    }
  })

  it('caps Clarity token ids at uint128', () => {
    expect(parseTokenIdOption((2n ** 128n - 1n).toString(), 'SIP009')).toBe(2n ** 128n - 1n)
    expect(usageMessage(() => parseTokenIdOption((2n ** 128n).toString(), 'SIP013'))).toContain('uint128')
  })

  it('reads standards in any case, with or without a hyphen', () => {
    expect(parseStandard('erc1155')).toBe('ERC1155')
    expect(parseStandard('ERC-721')).toBe('ERC721')
    expect(parseStandard('sip-009')).toBe('SIP009')
    expect(usageMessage(() => parseStandard('erc999'))).toMatch(/"erc999".*erc721, erc1155/)
  })

  it('rejects timeouts that are not whole milliseconds in range', () => {
    expect(parseTimeout('2500')).toBe(2500)
    for (const bad of ['0', '-5', 'soon', '1.5', '600001']) expect(usageMessage(() => parseTimeout(bad))).toContain(JSON.stringify(bad))
  })

  it('splits comma-separated --allow values and rejects typos', () => {
    expect(parseInspectOptions('https://x.test/1', { allow: ['127.0.0.1:8080,localhost:3000', '10.0.0.0/8'] }).allow).toEqual(['127.0.0.1:8080', 'localhost:3000', '10.0.0.0/8'])
    expect(usageMessage(() => parseInspectOptions('https://x.test/1', { allow: ['127.0.0.1:99999'] }))).toContain('"127.0.0.1:99999"')
  })

  it('requires a uri', () => {
    expect(usageMessage(() => parseInspectOptions('  ', {}))).toContain('missing <uri>')
    expect(usageMessage(() => parseInspectOptions(undefined, {}))).toContain('missing <uri>')
  })
})

function loaded(normalized: LoadedMetadata['normalized'], locales: string[] = []): LoadedMetadata {
  return {
    resolvedUrl: 'https://x.test/1',
    host: 'x.test',
    contentHash: 'h',
    normalized,
    raw: {},
    locales: locales.map((locale) => ({ locale, normalized, raw: {} })),
    failedLocales: [],
    warnings: [],
  }
}

describe('inspect warnings', () => {
  it('warns when {id} will be fetched literally', () => {
    expect(inspectWarnings({ uri: 'https://x.test/{id}.json', tokenId: 1n })[0]).toContain('no --standard')
    expect(inspectWarnings({ uri: 'https://x.test/{id}.json', tokenId: 1n, standard: 'ERC721' })[0]).toContain('ERC721 does not substitute')
    expect(inspectWarnings({ uri: 'https://x.test/{id}.json', standard: 'ERC1155' })[0]).toContain('no --token-id')
    expect(inspectWarnings({ uri: 'https://x.test/{id}.json', tokenId: 1n, standard: 'ERC1155' })).toEqual([])
  })

  it('ignores {id} inside inline documents (the normaliser substitutes JSON values)', () => {
    expect(inspectWarnings({ uri: '{"image":"https://x.test/{id}.png"}' })).toEqual([])
  })

  it('warns about a missing name and image, not about complete metadata', () => {
    expect(inspectWarnings({ uri: 'https://x.test/1' }, loaded({}))).toEqual([expect.stringContaining('no "name"'), expect.stringContaining('no "image"')])
    expect(inspectWarnings({ uri: 'https://x.test/1' }, loaded({ name: 'A', image_data: '<svg/>' }))).toEqual([])
  })

  it('names an announced locale that failed for good, with its error code', () => {
    const m = { name: 'A', image: 'https://x.test/a.png', localization: { uri: 'https://x.test/{locale}.json', default: 'en', locales: ['en', 'fr', 'de'] } }
    const report = { ...loaded(m, ['fr']), failedLocales: [{ locale: 'de', status: 'INVALID' as const, error: new PermanentError('token_not_found', 'HTTP 404') }] }
    expect(inspectWarnings({ uri: 'https://x.test/1' }, report)).toEqual([expect.stringContaining('the de variant failed (token_not_found')])
  })

  it('passes on the JSON5 warning of a lenient parse', () => {
    const report = { ...loaded({ name: 'A', image: 'https://x.test/a.png' }), warnings: [JSON5_WARNING] }
    expect(inspectWarnings({ uri: 'https://x.test/1' }, report)).toEqual([JSON5_WARNING])
  })
})
