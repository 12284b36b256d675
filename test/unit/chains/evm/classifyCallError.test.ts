import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, ExecutionRevertedError, HttpRequestError, parseAbi } from 'viem'
import { describe, expect, it } from 'vitest'
import { classifyCallError } from '../../../../src/chains/evm/evmReader'
import { PermanentError, RetryableError } from '../../../../src/core/errors'

const abi = parseAbi(['function tokenURI(uint256) view returns (string)'])

function expectPermanent(e: unknown, message: string): void {
  const r = classifyCallError(e, 'tokenURI')
  expect(r).toBeInstanceOf(PermanentError)
  expect(r).toMatchObject({ code: 'contract_call_reverted', message, cause: e })
}

function expectUnavailable(e: unknown): void {
  const r = classifyCallError(e, 'tokenURI')
  expect(r).toBeInstanceOf(RetryableError)
  expect(r).toMatchObject({ code: 'contract_call_unavailable', message: 'tokenURI() could not be called: node unavailable', cause: e })
}

describe('classifyCallError', () => {
  it('makes a contract function revert a permanent contract_call_reverted', () => {
    expectPermanent(new ContractFunctionRevertedError({ abi, functionName: 'tokenURI', message: 'nonexistent token' }), 'tokenURI() reverted or does not exist')
  })

  it('makes a call that returned no data (no such function) a permanent contract_call_reverted', () => {
    expectPermanent(new ContractFunctionZeroDataError({ functionName: 'tokenURI' }), 'tokenURI() reverted or does not exist')
  })

  it('makes an execution-reverted RPC error a permanent contract_call_reverted', () => {
    expectPermanent(new ExecutionRevertedError({ message: 'execution reverted' }), 'tokenURI() reverted or does not exist')
  })

  it('finds a revert anywhere in the cause chain', () => {
    expectPermanent(new BaseError('eth_call failed', { cause: new ExecutionRevertedError() }), 'tokenURI() reverted or does not exist')
  })

  it('makes a node error whose details say "execution reverted" a permanent contract_call_reverted', () => {
    expectPermanent(new BaseError('RPC error', { details: 'execution reverted: ERC721: invalid token ID' }), 'tokenURI() reverted')
  })

  it('makes a node error whose details say "invalid opcode" a permanent contract_call_reverted', () => {
    expectPermanent(new BaseError('RPC error', { details: 'VM Exception while processing transaction: invalid opcode' }), 'tokenURI() reverted')
  })

  it('makes an HTTP failure of the node a retryable contract_call_unavailable', () => {
    expectUnavailable(new HttpRequestError({ url: 'http://127.0.0.1:8545', status: 503, details: 'Service Unavailable' }))
  })

  it('makes a viem error without a revert a retryable contract_call_unavailable', () => {
    expectUnavailable(new BaseError('request timed out', { details: 'The request took too long to respond.' }))
  })

  it('makes an error from outside viem a retryable contract_call_unavailable', () => {
    expectUnavailable(new TypeError('fetch failed'))
  })
})
