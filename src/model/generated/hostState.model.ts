import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"

/**
 * Shared per-host politeness state (all workers): the 429 cooldown.
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

    @DateTimeColumn_({nullable: true})
    cooldownUntil!: Date | undefined | null

    @IntColumn_({nullable: false})
    rateLimitedCount!: number

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date
}
