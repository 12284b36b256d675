import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"

/**
 * Shared per-host politeness state (all workers): concurrency and 429 cooldown.
 */
@Entity_()
export class HostState {
    constructor(props?: Partial<HostState>) {
        Object.assign(this, props)
    }

    /**
     * host name (lowercase, with port when not default)
     */
    @PrimaryColumn_()
    id!: string

    @IntColumn_({nullable: false})
    inFlight!: number

    @DateTimeColumn_({nullable: true})
    cooldownUntil!: Date | undefined | null

    @IntColumn_({nullable: false})
    rateLimitedCount!: number

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date
}
