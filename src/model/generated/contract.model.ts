import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, OneToOne as OneToOne_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {TokenStandard} from "./_tokenStandard"
import {UpdateMode} from "./_updateMode"
import {ContractMetadata} from "./contractMetadata.model"
import {Token} from "./token.model"

/**
 * A token contract (chain facts), recorded on first sight with the standard inferred from the event shape.
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
     * ERC-20 and SIP-010: kept in step with mints and burns (never negative)
     */
    @BigIntColumn_({nullable: true})
    totalSupply!: bigint | undefined | null

    @StringColumn_({nullable: true})
    deployer!: string | undefined | null

    @StringColumn_({nullable: true})
    deployTx!: string | undefined | null

    @IntColumn_({nullable: true})
    deployBlock!: number | undefined | null

    /**
     * Stacks: the asset name of the contract's define-fungible-token / define-non-fungible-token (Hiro asset_identifier)
     */
    @StringColumn_({nullable: true})
    assetName!: string | undefined | null

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

    @OneToOne_(() => ContractMetadata, e => e.contract)
    metadata!: ContractMetadata | undefined | null

    @OneToMany_(() => Token, e => e.contract)
    tokens!: Token[]
}
