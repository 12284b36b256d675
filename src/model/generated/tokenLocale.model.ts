import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, JSONColumn as JSONColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"
import {MetadataStatus} from "./_metadataStatus"

/**
 * A localized variant of a token's metadata (SIP-016, ERC-1155 localization), one row per locale.
 */
@Index_(["token", "locale"], {unique: true})
@Entity_()
export class TokenLocale {
    constructor(props?: Partial<TokenLocale>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @StringColumn_({nullable: false})
    locale!: string

    /**
     * AVAILABLE, or INVALID when this variant failed for good (its error below; the token's other parts are kept)
     */
    @Column_("varchar", {length: 9, nullable: false})
    status!: MetadataStatus

    /**
     * the merged localized document (null when the variant failed)
     */
    @JSONColumn_({nullable: true})
    normalized!: unknown | undefined | null

    @JSONColumn_({nullable: true})
    raw!: unknown | undefined | null

    @StringColumn_({nullable: true})
    errorCode!: string | undefined | null

    @StringColumn_({nullable: true})
    errorMessage!: string | undefined | null

    @IntColumn_({nullable: true})
    errorHttpStatus!: number | undefined | null

    @StringColumn_({nullable: true})
    errorUrl!: string | undefined | null
}
