import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, DateTimeColumn as DateTimeColumn_, Index as Index_, StringColumn as StringColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"

/**
 * Per-minute queue activity, per chain and host, for dashboards.
 */
@Entity_()
export class JobStatMinute {
    constructor(props?: Partial<JobStatMinute>) {
        Object.assign(this, props)
    }

    /**
     * <minute iso>|<chain>|<host>
     */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    minute!: Date

    @StringColumn_({nullable: false})
    chain!: string

    @StringColumn_({nullable: false})
    host!: string

    @IntColumn_({nullable: false})
    completed!: number

    @IntColumn_({nullable: false})
    failed!: number

    @IntColumn_({nullable: false})
    invalid!: number

    @IntColumn_({nullable: false})
    retried!: number
}
