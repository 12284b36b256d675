import type { Address } from 'viem'
import type { ChainDriver, DeployedContract } from '../evm'
import type { DevMetadataServer } from '../metadataServer'
import { SQUID_CID, glyphUri, itemDoc, localizedItemDoc, squidDoc, squidSvg } from './documents'
import { pixelDoc, pixelImage } from './pixelImages'

export interface EvmSeed {
  squids: DeployedContract
  glyphs: DeployedContract
  items: DeployedContract
  gold: DeployedContract
  broken: DeployedContract
  /** PNG and animated GIF images (the media cache shows both; squids and glyphs show SVG). */
  pixels: DeployedContract
  holders: Address[]
  nextSquid: number
  /** Current level of each squid (the live activity raises them). */
  levels: Map<number, number>
}

const SQUIDS = 40
const GLYPHS = 12
const PIXELS = 8

/** Deploys and mints the EVM collections, and publishes their documents on the metadata host. */
export async function seedEvm(d: ChainDriver, host: DevMetadataServer): Promise<EvmSeed> {
  const [, alice, bob, carol] = d.accounts
  const levels = new Map<number, number>()
  for (let id = 0; id < SQUIDS; id++) publishSquid(host, id, 1, levels)

  const squids = await d.deploy('TestERC721', ['Squids', 'SQD', `ipfs://${SQUID_CID}/collection.json`])
  host.json(`/ipfs/${SQUID_CID}/collection.json`, { name: 'Squids', description: 'Seeded ERC-721 collection on the local IPFS gateway', image: `ipfs://${SQUID_CID}/images/0.svg` })
  await d.mintErc721Batch(squids, alice, 0n, SQUIDS, `ipfs://${SQUID_CID}/`)

  const glyphs = await d.deploy('TestERC721', ['Glyphs', 'GLY', ''])
  await d.mintErc721Batch(glyphs, bob, 0n, GLYPHS, (id) => glyphUri(Number(id)))

  const items = await d.deploy('TestERC1155', ['Items', 'ITM', `${host.url}/items/{id}.json`, ''])
  for (let id = 1; id <= 5; id++) {
    const hex = id.toString(16).padStart(64, '0')
    host.json(`/items/${hex}.json`, itemDoc(id, host.url))
    host.json(`/items/fr/${hex}.json`, localizedItemDoc(id, 'fr'))
    host.json(`/items/es/${hex}.json`, localizedItemDoc(id, 'es'))
    host.svg(`/items/images/${hex}.svg`, squidSvg(id, 0))
  }
  await d.mintErc1155(items, alice, [1n, 2n, 3n, 4n, 5n], [100n, 50n, 25n, 5n, 1n])
  await d.transferErc1155Batch(items, alice, carol, [1n, 3n], [10n, 5n])

  const gold = await d.deploy('TestERC20', ['Gold', 'GLD', 18, 0n])
  await d.mintErc20(gold, alice, 10n ** 24n)
  await d.transferErc20(gold, alice, bob, 10n ** 21n)

  const broken = await d.deploy('TestERC721', ['Broken', 'BRK', ''])
  host.status('/broken/0', 404, 'no such token')
  host.status('/broken/1', 200, '{"name": "half a document', 'application/json')
  host.hang('/broken/2')
  await d.mintErc721Batch(broken, carol, 0n, 3, `${host.url}/broken/`)
  const pixels = await d.deploy('TestERC721', ['Pixels', 'PXL', `${host.url}/pixels/collection.json`])
  host.json('/pixels/collection.json', { name: 'Pixels', description: 'PNG and animated GIF images, cached by the media workers', image: `${host.url}/pixels/images/0.png` })
  for (let id = 0; id < PIXELS; id++) {
    const img = await pixelImage(id)
    host.file(`/pixels/images/${id}.${img.ext}`, img.body, img.contentType)
    host.json(`/pixels/${id}`, pixelDoc(id, `${host.url}/pixels/images/${id}.${img.ext}`))
  }
  await d.mintErc721Batch(pixels, bob, 0n, PIXELS, `${host.url}/pixels/`)
  return { squids, glyphs, items, gold, broken, pixels, holders: [alice, bob, carol], nextSquid: SQUIDS, levels }
}

export function publishSquid(host: DevMetadataServer, id: number, level: number, levels: Map<number, number>): void {
  levels.set(id, level)
  host.json(`/ipfs/${SQUID_CID}/${id}`, squidDoc(id, level, host.url))
  host.svg(`/ipfs/${SQUID_CID}/images/${id}.svg`, squidSvg(id, level))
}
