import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    ConsecutiveTransfer: event("0xdeaa91b6123d068f5821d0fb0678463d1a8a6079fe8af5de3ce5e896dcf9133d", "ConsecutiveTransfer(uint256,uint256,address,address)", {"fromTokenId": indexed(p.uint256), "toTokenId": p.uint256, "fromAddress": indexed(p.address), "toAddress": indexed(p.address)}),
}

export class Contract extends ContractBase {
}

/// Event types
export type ConsecutiveTransferEventArgs = EParams<typeof events.ConsecutiveTransfer>
