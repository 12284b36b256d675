import { z } from 'zod'
import { isCaip2 } from '../../core/ids'
import { requiredText } from '../shapes/formats'
import { shapeIssue } from '../shapes/validation'
import { clip } from '../validation'

/** Every chain of the Sequence surface is an EVM chain: token ids are uint256. */
export const SEQUENCE_NAMESPACE = 'eip155'

interface SequenceChain {
  /** CAIP-2 (`eip155:1`). */
  chain: string
  /** The EIP-155 chain id as a number (TokenMetadata.chainId). */
  number: number
}

/**
 * chainID as Sequence sends it ("1", "80002"), or a CAIP-2 eip155 id; it must be indexed here
 * (else ChainNotFound). A JSON number is a wrong type, as in Sequence's own API.
 */
export function sequenceChainId(knownChains: ReadonlySet<string>) {
  return requiredText()
    .meta({ description: 'EIP-155 chain id ("1", "80002"), or its CAIP-2 form ("eip155:1")', examples: ['1', '80002'] })
    .transform((chainId, ctx): SequenceChain => {
      const chain = caip2Of(chainId.trim())
      if (chain && knownChains.has(chain)) return { chain, number: Number(chain.slice(`${SEQUENCE_NAMESPACE}:`.length)) }
      const problem = chain ? `chain ${chain} is not indexed by this service` : `chainID "${clip(chainId.trim())}" is not an EVM chain id`
      ctx.addIssue({ ...shapeIssue('unknown_chain', () => problem), input: chainId })
      return z.NEVER
    })
}

function caip2Of(raw: string): string | undefined {
  if (/^[0-9]{1,19}$/.test(raw)) return `${SEQUENCE_NAMESPACE}:${BigInt(raw).toString()}`
  if (isCaip2(raw) && raw.startsWith(`${SEQUENCE_NAMESPACE}:`)) return raw
  return undefined
}
