import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, JSONColumn as JSONColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {TokenStandard} from "./_tokenStandard"
import {MetadataStatus} from "./_metadataStatus"
import {UpdateMode} from "./_updateMode"
import {Token} from "./token.model"

/**
 * A token contract, recorded on first sight with the standard inferred from the event shape.
 */
@Index_(["chain", "standard"], {unique: false})
@Entity_()
export class Contract {
    constructor(props?: Partial<Contract>) {
        Object.assign(this, props)
    }

    /**
     * <caip2>:<address>
     */
    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    chain!: string

    @Index_()
    @StringColumn_({nullable: false})
    address!: string

    @Column_("varchar", {length: 7, nullable: false})
    standard!: TokenStandard

    /**
     * set once a contract job confirmed the standard (ERC-165, Clarity interface)
     */
    @BooleanColumn_({nullable: false})
    standardConfirmed!: boolean

    @StringColumn_({nullable: true})
    name!: string | undefined | null

    @StringColumn_({nullable: true})
    symbol!: string | undefined | null

    @IntColumn_({nullable: true})
    decimals!: number | undefined | null

    /**
     * ERC-20 / SIP-010: kept in step with mints and burns (never negative); refreshed from the chain
     */
    @BigIntColumn_({nullable: true})
    totalSupply!: bigint | undefined | null

    @StringColumn_({nullable: true})
    contractUri!: string | undefined | null

    /**
     * normalised contract-level metadata (ERC-7572 contractURI, SIP-010 token URI)
     */
    @JSONColumn_({nullable: true})
    metadata!: unknown | undefined | null

    @Column_("varchar", {length: 9, nullable: false})
    metadataStatus!: MetadataStatus

    @StringColumn_({nullable: true})
    metadataErrorCode!: string | undefined | null

    @StringColumn_({nullable: true})
    deployer!: string | undefined | null

    @StringColumn_({nullable: true})
    deployTx!: string | undefined | null

    @IntColumn_({nullable: true})
    deployBlock!: number | undefined | null

    @IntColumn_({nullable: false})
    firstSeenBlock!: number

    /**
     * SIP-019 notice for the whole contract
     */
    @Column_("varchar", {length: 8, nullable: false})
    updateMode!: UpdateMode

    @IntColumn_({nullable: true})
    updateTtl!: number | undefined | null

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @OneToMany_(() => Token, e => e.contract)
    tokens!: Token[]
}
