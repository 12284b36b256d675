import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Contract} from "./contract.model"
import {Token} from "./token.model"
import {UpdateNoticeKind} from "./_updateNoticeKind"
import {UpdateMode} from "./_updateMode"

/**
 * An on-chain refresh trigger: ERC-4906, ERC-1155 URI, ERC-7572, SIP-019.
 */
@Index_(["contract", "blockNumber"], {unique: false})
@Entity_()
export class UpdateNotice {
    constructor(props?: Partial<UpdateNotice>) {
        Object.assign(this, props)
    }

    /**
     * <chain>:<block>:<log index> (EVM) or <chain>:<tx id>:<event index> (Stacks)
     */
    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    chain!: string

    @ManyToOne_(() => Contract, {nullable: true})
    contract!: Contract

    /**
     * set when the notice names exactly one token
     */
    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token | undefined | null

    @Column_("varchar", {length: 21, nullable: false})
    kind!: UpdateNoticeKind

    @BigIntColumn_({nullable: true})
    fromTokenId!: bigint | undefined | null

    @BigIntColumn_({nullable: true})
    toTokenId!: bigint | undefined | null

    /**
     * how many tokens the notice refreshed (a collection-wide notice refreshes every token, in chunks of EVM_BATCH_MAX_TOKENS)
     */
    @IntColumn_({nullable: false})
    tokenCount!: number

    @StringColumn_({nullable: true})
    uri!: string | undefined | null

    @Column_("varchar", {length: 8, nullable: true})
    updateMode!: UpdateMode | undefined | null

    @IntColumn_({nullable: true})
    ttl!: number | undefined | null

    @StringColumn_({nullable: true})
    sender!: string | undefined | null

    @IntColumn_({nullable: false})
    blockNumber!: number

    @StringColumn_({nullable: false})
    blockHash!: string

    @StringColumn_({nullable: false})
    txHash!: string

    @IntColumn_({nullable: false})
    logIndex!: number

    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
