// Hand-written: SIP-010 supplies are served from the processor's event-tracked value
// (contract.total_supply). Contract reads stored before that kept a get-total-supply read frozen
// at the contract's first job, which every surface preferred; clear them so the tracked supply
// is served. down() cannot restore the frozen reads (they were stale anyway) and does nothing.
module.exports = class TrackedFtSupply1795222460583 {
  name = 'TrackedFtSupply1795222460583'

  async up(db) {
    await db.query(
      `UPDATE contract_metadata m SET total_supply = NULL
         FROM contract c
        WHERE c.id = m.contract_id AND c.standard = 'SIP010' AND m.total_supply IS NOT NULL`,
    )
  }

  async down() {}
}
