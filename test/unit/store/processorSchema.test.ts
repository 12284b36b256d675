import { describe, expect, it } from 'vitest'
import { stateSchemaFor } from '../../../src/store/processorSchema'

describe('a chain processor checkpoint schema', () => {
  it('is the chain id with every non-alphanumeric character as _, lower case, then _processor', () => {
    expect(stateSchemaFor('eip155:31337')).toBe('eip155_31337_processor')
    expect(stateSchemaFor('stacks:2147483648')).toBe('stacks_2147483648_processor')
    expect(stateSchemaFor('cosmos:Hub-4')).toBe('cosmos_hub_4_processor')
  })

  it('keeps two separators apart, so chains differing only in them do not share a schema', () => {
    expect(stateSchemaFor('a:b-c')).not.toBe(stateSchemaFor('a:b--c'))
  })
})
