import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Refresh} from "./refresh.model"
import {RefreshItemStatus} from "./_refreshItemStatus"

@Index_(["tokenRef", "status"], {unique: false})
@Index_(["refresh", "status"], {unique: false})
@Entity_()
export class RefreshItem {
    constructor(props?: Partial<RefreshItem>) {
        Object.assign(this, props)
    }

    /**
     * <refreshId>:<tokenId>
     */
    @PrimaryColumn_()
    id!: string

    @ManyToOne_(() => Refresh, {nullable: true})
    refresh!: Refresh

    @StringColumn_({nullable: false})
    tokenRef!: string

    @BigIntColumn_({nullable: false})
    tokenId!: bigint

    /**
     * the job's requestVersion after this refresh was enqueued: only a completion that claimed at least this version settles the item
     */
    @IntColumn_({nullable: false})
    jobVersion!: number

    @Column_("varchar", {length: 9, nullable: false})
    status!: RefreshItemStatus

    @StringColumn_({nullable: true})
    errorCode!: string | undefined | null

    @IntColumn_({nullable: true})
    errorHttpStatus!: number | undefined | null

    @StringColumn_({nullable: true})
    errorBody!: string | undefined | null

    @StringColumn_({nullable: true})
    errorUrl!: string | undefined | null

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @DateTimeColumn_({nullable: true})
    finishedAt!: Date | undefined | null
}
