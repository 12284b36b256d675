import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, JSONColumn as JSONColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"

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

    @JSONColumn_({nullable: false})
    normalized!: unknown

    @JSONColumn_({nullable: true})
    raw!: unknown | undefined | null
}
