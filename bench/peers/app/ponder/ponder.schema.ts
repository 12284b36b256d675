// The same token-owner rows as the plain squid's entity (bench/peers/squid/lib/model.ts).
import { index, onchainTable } from 'ponder'

export const token = onchainTable(
  'token',
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    tokenId: t.bigint().notNull(),
    owner: t.hex().notNull(),
    mintBlock: t.integer().notNull(),
    updatedBlock: t.integer().notNull(),
  }),
  (table) => ({ contractIdx: index().on(table.contract), ownerIdx: index().on(table.owner) }),
)
