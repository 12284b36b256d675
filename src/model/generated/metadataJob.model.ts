import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {JobKind} from "./_jobKind"
import {JobStatus} from "./_jobStatus"

/**
 * One live job per token or contract (docs/architecture.md §4). Written with raw SQL by the queue:
 * enqueue merges (priority max, run-at min, requestVersion + 1); completion only marks DONE when no
 * newer request arrived while the job ran.
 */
@Entity_()
export class MetadataJob {
    constructor(props?: Partial<MetadataJob>) {
        Object.assign(this, props)
    }

    /**
     * token:<tokenId>, contract:<contractId> or webhook:<subscriptionId>:<chain>
     */
    @PrimaryColumn_()
    id!: string

    @Column_("varchar", {length: 8, nullable: false})
    kind!: JobKind

    @StringColumn_({nullable: false})
    chain!: string

    @StringColumn_({nullable: false})
    contractId!: string

    @StringColumn_({nullable: true})
    tokenRef!: string | undefined | null

    @Column_("varchar", {length: 7, nullable: false})
    status!: JobStatus

    @IntColumn_({nullable: false})
    priority!: number

    @DateTimeColumn_({nullable: false})
    runAt!: Date

    @IntColumn_({nullable: false})
    attempts!: number

    /**
     * bumped by every enqueue; a running job that sees a newer version goes back to QUEUED
     */
    @IntColumn_({nullable: false})
    requestVersion!: number

    /**
     * requestVersion when the running attempt was claimed
     */
    @IntColumn_({nullable: true})
    claimedVersion!: number | undefined | null

    /**
     * when the job last went from idle to QUEUED (the age dashboards show)
     */
    @DateTimeColumn_({nullable: false})
    queuedAt!: Date

    @StringColumn_({nullable: true})
    lockedBy!: string | undefined | null

    @DateTimeColumn_({nullable: true})
    lockedUntil!: Date | undefined | null

    /**
     * host of the last fetch, for per-host politeness and statistics
     */
    @StringColumn_({nullable: true})
    host!: string | undefined | null

    @StringColumn_({nullable: true})
    errorCode!: string | undefined | null

    @StringColumn_({nullable: true})
    errorMessage!: string | undefined | null

    @IntColumn_({nullable: true})
    errorHttpStatus!: number | undefined | null

    @StringColumn_({nullable: true})
    errorBody!: string | undefined | null

    @StringColumn_({nullable: true})
    errorUrl!: string | undefined | null

    /**
     * retry profile of a user refresh (null = the general JOB_* policy): total deadline of one fetch
     */
    @IntColumn_({nullable: true})
    fetchTimeoutMs!: number | undefined | null

    /**
     * retry profile: attempts before FAILED
     */
    @IntColumn_({nullable: true})
    maxAttempts!: number | undefined | null

    /**
     * retry profile: HTTP statuses that are retried (others fail at once)
     */
    @IntColumn_({array: true, nullable: true})
    retryStatuses!: (number)[] | undefined | null

    /**
     * retry profile: first retry delay (doubles each attempt)
     */
    @IntColumn_({nullable: true})
    backoffBaseMs!: number | undefined | null

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date

    @DateTimeColumn_({nullable: true})
    finishedAt!: Date | undefined | null
}
