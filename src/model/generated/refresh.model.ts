import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {ApiKey} from "./apiKey.model"
import {RefreshStatus} from "./_refreshStatus"
import {RefreshItem} from "./refreshItem.model"

/**
 * A user-requested refresh of a batch of tokens (Immutable, Mavis, Sequence, GraphQL).
 */
@Index_(["contractId", "createdAt"], {unique: false})
@Entity_()
export class Refresh {
    constructor(props?: Partial<Refresh>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    surface!: string

    @StringColumn_({nullable: false})
    chain!: string

    @StringColumn_({nullable: false})
    contractId!: string

    @Index_()
    @ManyToOne_(() => ApiKey, {nullable: true})
    apiKey!: ApiKey | undefined | null

    /**
     * Immutable X project-owner authentication: the signing owner's address (lowercase)
     */
    @Index_()
    @StringColumn_({nullable: true})
    requestedBy!: string | undefined | null

    @Column_("varchar", {length: 11, nullable: false})
    status!: RefreshStatus

    @IntColumn_({nullable: false})
    tokenCount!: number

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @DateTimeColumn_({nullable: true})
    startedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    completedAt!: Date | undefined | null

    @OneToMany_(() => RefreshItem, e => e.refresh)
    items!: RefreshItem[]
}
