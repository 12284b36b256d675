import { TypeormDatabase } from '@subsquid/typeorm-store'
import { DataSource } from 'typeorm'
import { dataSourceOptions } from './dataSource'

/** `eip155:31337` -> `eip155_31337_processor`: each chain's checkpoint lives in its own schema. */
export function stateSchemaFor(chain: string): string {
  return `${chain.replace(/[^a-zA-Z0-9]/g, '_').toLowerCase()}_processor`
}

interface TypeormDatabaseInternals {
  con?: DataSource
  initTransaction(em: unknown): Promise<unknown>
}

/**
 * Subsquid's TypeormDatabase (batch transaction, checkpoint, hot blocks and their rollback),
 * connected to our DataSource instead of one built from DB_* environment variables and a
 * compiled model in lib/. READ COMMITTED: workers update job rows while a batch runs, and the
 * default SERIALIZABLE would abort the batch on those conflicts; the status row's nonce still
 * guards against two processors of one chain.
 */
export class ChainDatabase extends TypeormDatabase {
  constructor(
    private readonly url: string,
    chain: string,
  ) {
    super({ stateSchema: stateSchemaFor(chain), isolationLevel: 'READ COMMITTED', supportHotBlocks: true })
  }

  override async connect(): ReturnType<TypeormDatabase['connect']> {
    const self = this as unknown as TypeormDatabaseInternals
    if (self.con) throw new Error('already connected')
    const con = new DataSource({ ...dataSourceOptions(this.url, 5) })
    await con.initialize()
    self.con = con
    try {
      return (await con.transaction('SERIALIZABLE', (em) => self.initTransaction(em))) as Awaited<ReturnType<TypeormDatabase['connect']>>
    } catch (e) {
      await con.destroy().catch(() => {})
      self.con = undefined
      throw e
    }
  }
}
