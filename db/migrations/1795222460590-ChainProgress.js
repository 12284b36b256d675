// Hand-written: chain heads and processor heartbeats, for the status surfaces, /metrics and /ready.
//
// Both tables are written outside any batch transaction (a heartbeat must not wait for a batch,
// nor be rolled back with one), one row per chain, last writer wins.
// - chain_head: the newest block height a process saw on the chain's node. Processors write it
//   with each batch and on a timer; workers write it on a timer too, so the head keeps moving
//   (and the lag grows) while a chain's processor is down.
// - processor_heartbeat: the chain's processor is alive (last_seen_at), the newest block it
//   applied and that block's own timestamp, and its speed while it is behind the head (null at
//   the head). One processor per chain (the checkpoint's nonce guards that).

module.exports = class ChainProgress1795222460590 {
  name = 'ChainProgress1795222460590'

  async up(db) {
    await db.query(`CREATE TABLE chain_head (
      chain text PRIMARY KEY,
      height bigint NOT NULL,
      observed_at timestamptz NOT NULL,
      observed_by text NOT NULL)`)
    await db.query(`CREATE TABLE processor_heartbeat (
      chain text PRIMARY KEY,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      newest_block_height bigint,
      newest_block_time timestamptz,
      blocks_per_second double precision)`)
  }

  async down(db) {
    await db.query(`DROP TABLE processor_heartbeat`)
    await db.query(`DROP TABLE chain_head`)
  }
}
