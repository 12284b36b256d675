import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, StringColumn as StringColumn_, FloatColumn as FloatColumn_, JSONColumn as JSONColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"
import {Contract} from "./contract.model"

/**
 * One row per attribute, indexed for filtering by trait type and value within a contract.
 */
@Index_(["contract", "traitType", "value"], {unique: false})
@Entity_()
export class TokenAttribute {
    constructor(props?: Partial<TokenAttribute>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @ManyToOne_(() => Contract, {nullable: true})
    contract!: Contract

    @IntColumn_({nullable: false})
    position!: number

    @StringColumn_({nullable: true})
    traitType!: string | undefined | null

    /**
     * text form of the value, for filtering
     */
    @StringColumn_({nullable: true})
    value!: string | undefined | null

    /**
     * numeric values, for range filters
     */
    @FloatColumn_({nullable: true})
    valueNumber!: number | undefined | null

    /**
     * the value with its JSON type kept
     */
    @JSONColumn_({nullable: true})
    valueJson!: unknown | undefined | null

    @StringColumn_({nullable: true})
    displayType!: string | undefined | null

    @FloatColumn_({nullable: true})
    maxValue!: number | undefined | null
}
