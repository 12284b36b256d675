import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, OneToOne as OneToOne_, JoinColumn as JoinColumn_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, IntColumn as IntColumn_, JSONColumn as JSONColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"
import {Contract} from "./contract.model"
import {MetadataStatus} from "./_metadataStatus"

/**
 * Worker-owned metadata of a token (same id as the token). `status` is the outcome of the last
 * fetch; the status a reader sees also depends on the token's job (a queued refresh makes it STALE).
 */
@Entity_()
export class TokenMetadata {
    constructor(props?: Partial<TokenMetadata>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @OneToOne_(() => Token, {nullable: true})
    @JoinColumn_()
    token!: Token

    @Index_()
    @ManyToOne_(() => Contract, {nullable: true})
    contract!: Contract

    @Column_("varchar", {length: 9, nullable: false})
    status!: MetadataStatus

    /**
     * token URI as read from the chain by the worker
     */
    @StringColumn_({nullable: true})
    uri!: string | undefined | null

    /**
     * what was fetched: the final URL, or 'inline' / 'data'
     */
    @StringColumn_({nullable: true})
    resolvedUrl!: string | undefined | null

    @StringColumn_({nullable: true})
    contentHash!: string | undefined | null

    @StringColumn_({nullable: true})
    errorCode!: string | undefined | null

    @StringColumn_({nullable: true})
    errorMessage!: string | undefined | null

    @IntColumn_({nullable: true})
    errorHttpStatus!: number | undefined | null

    /**
     * URL where the last failed fetch failed (a redirect target, the gateway URL); the token URI stays in uri
     */
    @StringColumn_({nullable: true})
    errorUrl!: string | undefined | null

    /**
     * what a lenient parse of the document recovered from (e.g. JSON5 syntax)
     */
    @JSONColumn_({nullable: true})
    warnings!: unknown | undefined | null

    @DateTimeColumn_({nullable: true})
    queuedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    lastFetchedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    updatedAt!: Date | undefined | null

    @StringColumn_({nullable: true})
    name!: string | undefined | null

    @StringColumn_({nullable: true})
    description!: string | undefined | null

    @StringColumn_({nullable: true})
    image!: string | undefined | null

    @StringColumn_({nullable: true})
    imageData!: string | undefined | null

    @StringColumn_({nullable: true})
    externalUrl!: string | undefined | null

    @StringColumn_({nullable: true})
    animationUrl!: string | undefined | null

    @StringColumn_({nullable: true})
    backgroundColor!: string | undefined | null

    @StringColumn_({nullable: true})
    youtubeUrl!: string | undefined | null

    @IntColumn_({nullable: true})
    decimals!: number | undefined | null

    @JSONColumn_({nullable: true})
    properties!: unknown | undefined | null

    /**
     * localization block of the document: {uri, default, locales}
     */
    @JSONColumn_({nullable: true})
    localization!: unknown | undefined | null

    /**
     * the normalised document (one shape for all standards)
     */
    @JSONColumn_({nullable: true})
    normalized!: unknown | undefined | null

    /**
     * the document as fetched
     */
    @JSONColumn_({nullable: true})
    raw!: unknown | undefined | null
}
