/**
 * The schema that holds a chain processor's checkpoint (`status`, `hot_block`): the chain id with
 * every character other than a letter or digit replaced by `_`, lower case, then `_processor`
 * (`eip155:31337` -> `eip155_31337_processor`). The one place this rule is written: the
 * processors create the schema with it and the readers of sync progress find it with it.
 */
export function stateSchemaFor(chain: string): string {
  return `${chain.replace(/[^a-zA-Z0-9]/g, '_').toLowerCase()}_processor`
}
