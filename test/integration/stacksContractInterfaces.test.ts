// The shared interface cache against the simulator's real HTTP routes: two caches on two pools of
// one database stand for two processes (the processor and a worker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import type { ContractInterface } from '../../src/chains/stacks/apiTypes'
import { getContractInterface } from '../../src/chains/stacks/readOnly'
import { openDataSource } from '../../src/store/dataSource'
import { StacksContractInterfaces } from '../../src/store/stacksContractInterfaces'
import { useTestDatabase } from '../helpers/database'
import { useStacksSimulator } from '../helpers/stacksSimulator'

const stacks = useStacksSimulator()
const db = useTestDatabase()
const CHAIN = 'stacks:2147483648'
let other: DataSource

beforeAll(async () => {
  other = await openDataSource(db.url, 5)
})
afterAll(async () => {
  await other?.destroy()
})

const interfaceRequests = (contractId: string) => {
  const [address, name] = contractId.split('.')
  return stacks.sim.requests.filter((r) => r.path === `/v2/contracts/interface/${address}/${name}`)
}

function cacheOn(ds: DataSource): StacksContractInterfaces<ContractInterface> {
  return new StacksContractInterfaces(ds, CHAIN, (id) => getContractInterface(stacks.sim.url, id))
}

describe('StacksContractInterfaces', () => {
  it('asks the API once for a contract that two processes miss at the same moment, and stores its interface', async () => {
    const id = stacks.sim.contracts.sft
    const a = cacheOn(db.ds)
    const b = cacheOn(other)
    const answers = await Promise.all([...Array.from({ length: 5 }, () => a.get(id)), ...Array.from({ length: 5 }, () => b.get(id))])
    expect(interfaceRequests(id)).toHaveLength(1)
    const direct = await getContractInterface(stacks.sim.url, id)
    for (const answer of answers) expect(answer).toEqual(direct)
    expect(await db.ds.query(`SELECT contract_id FROM stacks_contract_interface WHERE chain = $1`, [CHAIN])).toEqual([{ contract_id: id }])
    // a later process reads it from the table
    expect(await cacheOn(other).get(id)).toEqual(direct)
    expect(interfaceRequests(id)).toHaveLength(2) // the direct read above, no other
  })

  it('stores no answer for a contract that does not exist: it is asked again', async () => {
    const id = `${stacks.sim.accounts.deployer}.not-deployed-yet`
    const cache = cacheOn(db.ds)
    expect(await cache.get(id)).toBeUndefined()
    expect(await cache.get(id)).toBeUndefined()
    expect(interfaceRequests(id)).toHaveLength(2)
    expect(await db.ds.query(`SELECT 1 FROM stacks_contract_interface WHERE contract_id = $1`, [id])).toEqual([])
  })
})
