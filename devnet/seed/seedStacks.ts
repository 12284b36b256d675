import { Cl } from '@stacks/transactions'
import type { DevMetadataServer } from '../metadataServer'
import type { StacksSimulator } from '../stacks/simulator'
import { squidSvg, stacksNftDoc, stacksNftGerman } from './documents'

export interface StacksSeed {
  nextNft: number
  levels: Map<number, number>
}

const NFTS = 8

/** Points the sample SIP-009/010/013 contracts at the metadata host and mints a few tokens. */
export async function seedStacks(sim: StacksSimulator, host: DevMetadataServer): Promise<StacksSeed> {
  const { deployer, wallet_1, wallet_2 } = sim.accounts
  const c = sim.contracts
  const levels = new Map<number, number>()
  for (let id = 0; id < NFTS; id++) publishStacksNft(host, id, 1, levels)
  host.json('/stacks/ft.json', {
    sip: 16,
    name: 'Sample Token',
    description: 'A SIP-010 token',
    image: `${host.url}/stacks/images/ft.svg`,
    properties: { website: 'https://example.test' },
  })
  host.svg('/stacks/images/ft.svg', squidSvg(99, 0))
  for (const id of [1, 2]) host.json(`/stacks/sft/${id}.json`, { sip: 16, name: `Semi ${id}`, description: 'A SIP-013 token', image: `${host.url}/stacks/images/${id}.svg` })

  await sim.call(c.nft, 'set-token-uri', [Cl.stringAscii(`${host.url}/stacks/nft/{id}.json`)], deployer)
  await sim.call(c.ft, 'set-token-uri', [Cl.some(Cl.stringUtf8(`${host.url}/stacks/ft.json`))], deployer)
  await sim.call(c.sft, 'set-token-uri', [Cl.stringAscii(`${host.url}/stacks/sft/{id}.json`)], deployer)
  for (let i = 0; i < NFTS; i++) await sim.call(c.nft, 'mint', [Cl.principal(i % 2 ? wallet_2 : wallet_1)], deployer)
  await sim.call(c.ft, 'mint', [Cl.uint(1_000_000_000), Cl.principal(wallet_1)], deployer)
  await sim.call(c.zeroDecimalsFt, 'mint', [Cl.uint(500), Cl.principal(wallet_2)], deployer)
  await sim.call(c.sft, 'mint', [Cl.uint(1), Cl.uint(100), Cl.principal(wallet_1)], deployer)
  await sim.call(c.sft, 'mint', [Cl.uint(2), Cl.uint(10), Cl.principal(wallet_2)], deployer)
  return { nextNft: NFTS, levels }
}

export function publishStacksNft(host: DevMetadataServer, id: number, level: number, levels: Map<number, number>): void {
  levels.set(id, level)
  host.json(`/stacks/nft/${id}.json`, stacksNftDoc(id, level, host.url))
  host.json(`/stacks/nft/${id}-de.json`, stacksNftGerman(id, level))
  host.svg(`/stacks/images/${id}.svg`, squidSvg(id + 50, level))
}
