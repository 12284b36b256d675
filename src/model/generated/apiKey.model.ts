import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"

/**
 * An API key; only its hash is stored. Admin keys may refresh any collection.
 */
@Entity_()
export class ApiKey {
    constructor(props?: Partial<ApiKey>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    name!: string

    @Index_({unique: true})
    @StringColumn_({nullable: false})
    hash!: string

    /**
     * first characters of the key, to recognise it in listings
     */
    @StringColumn_({nullable: false})
    prefix!: string

    @BooleanColumn_({nullable: false})
    admin!: boolean

    /**
     * contract ids this key owns (project owner); empty for admin keys
     */
    @StringColumn_({array: true, nullable: false})
    contracts!: (string)[]

    /**
     * owner address bound by the CLI (lowercase 0x): its x-imx-eth-signature refreshes the key's contracts
     */
    @Index_()
    @StringColumn_({nullable: true})
    ethAddress!: string | undefined | null

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @DateTimeColumn_({nullable: true})
    revokedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    lastUsedAt!: Date | undefined | null
}
