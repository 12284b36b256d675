// Hand-written: Stacks contract interfaces (the node's /v2/contracts/interface answer), stored
// once per contract and read by the processor and the workers alike (src/store/stacksContractInterfaces.ts).
// No entity in the model: the table belongs to that module alone.

module.exports = class StacksContractInterfaces1797000000100 {
  name = 'StacksContractInterfaces1797000000100'

  async up(db) {
    await db.query(`CREATE TABLE "stacks_contract_interface" (
      "chain" text NOT NULL,
      "contract_id" text NOT NULL,
      "interface" jsonb NOT NULL,
      "fetched_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_stacks_contract_interface" PRIMARY KEY ("chain", "contract_id")
    )`)
  }

  async down(db) {
    await db.query(`DROP TABLE "stacks_contract_interface"`)
  }
}
