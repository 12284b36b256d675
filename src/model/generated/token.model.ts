import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, OneToOne as OneToOne_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Contract} from "./contract.model"
import {TokenStandard} from "./_tokenStandard"
import {UpdateMode} from "./_updateMode"
import {TokenMetadata} from "./tokenMetadata.model"
import {TokenAttribute} from "./tokenAttribute.model"
import {TokenLocale} from "./tokenLocale.model"
import {Balance} from "./balance.model"
import {UpdateNotice} from "./updateNotice.model"

/**
 * A token. Fungible tokens are one row with tokenId 0 under their contract.
 */
@Index_(["contract", "tokenId"], {unique: true})
@Index_(["owner", "contract"], {unique: false})
@Entity_()
export class Token {
    constructor(props?: Partial<Token>) {
        Object.assign(this, props)
    }

    /**
     * <contractId>:<tokenId decimal>
     */
    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    chain!: string

    @ManyToOne_(() => Contract, {nullable: true})
    contract!: Contract

    @BigIntColumn_({nullable: false})
    tokenId!: bigint

    @Column_("varchar", {length: 7, nullable: false})
    standard!: TokenStandard

    /**
     * ERC-721 / SIP-009 owner; null when burned
     */
    @StringColumn_({nullable: true})
    owner!: string | undefined | null

    /**
     * ERC-1155 / SIP-013 supply; 1 or 0 for NFTs; FT supply lives on the contract
     */
    @BigIntColumn_({nullable: false})
    supply!: bigint

    @BooleanColumn_({nullable: false})
    burned!: boolean

    /**
     * URI announced on chain (ERC-1155 URI event); the worker reads the current one itself
     */
    @StringColumn_({nullable: true})
    chainUri!: string | undefined | null

    @IntColumn_({nullable: true})
    mintBlock!: number | undefined | null

    @StringColumn_({nullable: true})
    mintTx!: string | undefined | null

    @DateTimeColumn_({nullable: true})
    mintedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    burnBlock!: number | undefined | null

    /**
     * SIP-019: frozen tokens ignore later notices; dynamic tokens are refreshed when their ttl passes
     */
    @Column_("varchar", {length: 8, nullable: false})
    updateMode!: UpdateMode

    @IntColumn_({nullable: true})
    updateTtl!: number | undefined | null

    /**
     * false for a placeholder a worker wrote for a token only a read asked for: kept out of lists and counters until the processor sees the token
     */
    @BooleanColumn_({nullable: false})
    seenOnChain!: boolean

    @OneToOne_(() => TokenMetadata, e => e.token)
    metadata!: TokenMetadata | undefined | null

    @OneToMany_(() => TokenAttribute, e => e.token)
    attributes!: TokenAttribute[]

    @OneToMany_(() => TokenLocale, e => e.token)
    locales!: TokenLocale[]

    @OneToMany_(() => Balance, e => e.token)
    balances!: Balance[]

    @OneToMany_(() => UpdateNotice, e => e.token)
    notices!: UpdateNotice[]
}
