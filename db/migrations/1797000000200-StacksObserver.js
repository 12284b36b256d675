// Hand-written: what the Stacks node's event observer keeps (src/store/stacksNodeBlocks.ts) and the
// events of contracts whose interface was not known when their block was ingested
// (src/store/stacksPendingEvents.ts).
//
// stacks_node_block: one row per /new_block request (the body as received, gzipped by the writer:
// several times faster than Postgres's own pglz and smaller, hence STORAGE EXTERNAL), keyed by the
// block's index hash, so a node's retry or a re-imported archive stores a block once. `canonical`
// marks the chain the processor follows: at most one canonical block per height (unique index).
//
// stacks_pending_event: an asset event (or SIP-013 print) of a contract whose interface was
// unknown, kept with its block and transaction context until the interface is known.

module.exports = class StacksObserver1797000000200 {
  name = 'StacksObserver1797000000200'

  async up(db) {
    await db.query(`CREATE TABLE stacks_node_block (
      chain text NOT NULL,
      index_block_hash text NOT NULL,
      block_hash text NOT NULL,
      height integer NOT NULL,
      parent_index_block_hash text NOT NULL,
      canonical boolean NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      payload bytea NOT NULL,
      PRIMARY KEY (chain, index_block_hash)
    )`)
    await db.query(`ALTER TABLE stacks_node_block ALTER COLUMN payload SET STORAGE EXTERNAL`)
    await db.query(`CREATE UNIQUE INDEX stacks_node_block_canonical ON stacks_node_block (chain, height) WHERE canonical`)
    await db.query(`CREATE INDEX stacks_node_block_height ON stacks_node_block (chain, height)`)
    await db.query(`CREATE TABLE stacks_pending_event (
      chain text NOT NULL,
      contract_id text NOT NULL,
      index_block_hash text NOT NULL,
      height integer NOT NULL,
      block_time integer NOT NULL,
      tx_id text NOT NULL,
      tx_index integer NOT NULL,
      sender text NOT NULL,
      event_index integer NOT NULL,
      event jsonb NOT NULL,
      PRIMARY KEY (chain, index_block_hash, event_index)
    )`)
    await db.query(`CREATE INDEX stacks_pending_event_contract ON stacks_pending_event (chain, contract_id)`)
  }

  async down(db) {
    await db.query(`DROP TABLE stacks_pending_event`)
    await db.query(`DROP TABLE stacks_node_block`)
  }
}
