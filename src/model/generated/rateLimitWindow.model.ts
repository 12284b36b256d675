import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {ApiKey} from "./apiKey.model"

/**
 * A fixed rate-limit window for a key, shared by all API processes.
 */
@Index_(["apiKey", "windowStart"], {unique: false})
@Entity_()
export class RateLimitWindow {
    constructor(props?: Partial<RateLimitWindow>) {
        Object.assign(this, props)
    }

    /**
     * <keyId>:<kind>:<window start ms>
     */
    @PrimaryColumn_()
    id!: string

    @ManyToOne_(() => ApiKey, {nullable: true})
    apiKey!: ApiKey

    @StringColumn_({nullable: false})
    kind!: string

    @DateTimeColumn_({nullable: false})
    windowStart!: Date

    @IntColumn_({nullable: false})
    count!: number
}
