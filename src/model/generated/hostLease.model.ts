import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"

/**
 * Fetch slots a worker holds for a host. The sum over unexpired leases never exceeds the per-host
 * cap; a dead worker's slots come back when its lease expires.
 */
@Entity_()
export class HostLease {
    constructor(props?: Partial<HostLease>) {
        Object.assign(this, props)
    }

    /**
     * <host>|<worker id>
     */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    host!: string

    @StringColumn_({nullable: false})
    workerId!: string

    @IntColumn_({nullable: false})
    slots!: number

    @DateTimeColumn_({nullable: false})
    expiresAt!: Date
}
