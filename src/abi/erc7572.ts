import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    ContractURIUpdated: event("0xa5d4097edda6d87cb9329af83fb3712ef77eeb13738ffe43cc35a4ce305ad962", "ContractURIUpdated()", {}),
}

export const functions = {
    contractURI: viewFun("0xe8a3d485", "contractURI()", {}, p.string),
}

export class Contract extends ContractBase {

    contractURI() {
        return this.eth_call(functions.contractURI, {})
    }
}

/// Event types
export type ContractURIUpdatedEventArgs = EParams<typeof events.ContractURIUpdated>

/// Function types
export type ContractURIParams = FunctionArguments<typeof functions.contractURI>
export type ContractURIReturn = FunctionReturn<typeof functions.contractURI>

