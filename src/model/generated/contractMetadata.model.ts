import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, OneToOne as OneToOne_, Index as Index_, JoinColumn as JoinColumn_, StringColumn as StringColumn_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, JSONColumn as JSONColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Contract} from "./contract.model"
import {MetadataStatus} from "./_metadataStatus"
import {TokenStandard} from "./_tokenStandard"

/**
 * Worker-owned contract reads and contract-level metadata (same id as the contract).
 */
@Entity_()
export class ContractMetadata {
    constructor(props?: Partial<ContractMetadata>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @OneToOne_(() => Contract, {nullable: true})
    @JoinColumn_()
    contract!: Contract

    /**
     * outcome of the last contract job
     */
    @Column_("varchar", {length: 9, nullable: false})
    status!: MetadataStatus

    /**
     * the standard confirmed by ERC-165 / the Clarity interface, when it could be
     */
    @Column_("varchar", {length: 7, nullable: true})
    confirmedStandard!: TokenStandard | undefined | null

    @StringColumn_({nullable: true})
    name!: string | undefined | null

    @StringColumn_({nullable: true})
    symbol!: string | undefined | null

    @IntColumn_({nullable: true})
    decimals!: number | undefined | null

    /**
     * ERC-20 totalSupply() as the worker last read it (SIP-010 supplies are tracked from events on the contract, with a periodic cross-check by the Stacks processor)
     */
    @BigIntColumn_({nullable: true})
    totalSupply!: bigint | undefined | null

    /**
     * ERC-7572 contractURI, SIP-010 get-token-uri
     */
    @StringColumn_({nullable: true})
    uri!: string | undefined | null

    @StringColumn_({nullable: true})
    resolvedUrl!: string | undefined | null

    /**
     * normalised contract-level metadata
     */
    @JSONColumn_({nullable: true})
    normalized!: unknown | undefined | null

    @JSONColumn_({nullable: true})
    raw!: unknown | undefined | null

    @StringColumn_({nullable: true})
    errorCode!: string | undefined | null

    @StringColumn_({nullable: true})
    errorMessage!: string | undefined | null

    /**
     * URL where the contract document's fetch failed (a redirect target, the gateway URL), not the contract URI
     */
    @StringColumn_({nullable: true})
    errorUrl!: string | undefined | null

    /**
     * what a lenient parse of the document recovered from (e.g. JSON5 syntax)
     */
    @JSONColumn_({nullable: true})
    warnings!: unknown | undefined | null

    @DateTimeColumn_({nullable: true})
    lastFetchedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date
}
