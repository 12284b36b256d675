import { Field, Float, GraphQLISODateTime, Int, ObjectType } from 'type-graphql'

@ObjectType('NamedCount')
export class NamedCount {
  @Field(() => String)
  name!: string

  @Field(() => Float, { description: 'Float: counts can pass 2^31' })
  count!: number
}

/** Job outcomes over a span of time (one minute, or the throughput window): fields both types inherit. */
@ObjectType()
abstract class OutcomeCounts {
  @Field(() => Int)
  completed!: number

  @Field(() => Int)
  failed!: number

  @Field(() => Int)
  invalid!: number

  @Field(() => Int)
  retried!: number
}

@ObjectType('MinuteActivity')
export class MinuteActivityType extends OutcomeCounts {
  @Field(() => GraphQLISODateTime)
  minute!: Date
}

@ObjectType('QueueThroughput')
export class QueueThroughputType extends OutcomeCounts {
  @Field(() => Int)
  minutes!: number

  @Field(() => Float)
  finishedPerMinute!: number
}

@ObjectType('ChainStatus')
export class ChainStatusType {
  @Field(() => String)
  chain!: string

  @Field(() => Float, { nullable: true })
  indexedHeight!: number | null

  @Field(() => Float, { nullable: true, description: 'Newest block a process (the processor, a worker) saw on the chain node' })
  chainHeight!: number | null

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When chainHeight was observed' })
  chainHeightAt!: Date | null

  @Field(() => Float, { nullable: true, description: 'chainHeight - indexedHeight, in blocks' })
  lag!: number | null

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Block timestamp of the newest indexed block' })
  newestBlockAt!: Date | null

  @Field(() => Float, { nullable: true })
  newestBlockAgeSeconds!: number | null

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last heartbeat of the chain processor' })
  processorLastSeenAt!: Date | null

  @Field(() => Float, { nullable: true })
  processorSilentSeconds!: number | null

  @Field(() => Float, { nullable: true, description: 'Indexing speed while the processor is behind the head (null at the head)' })
  blocksPerSecond!: number | null

  @Field(() => Float, { nullable: true, description: 'lag / blocksPerSecond, while behind the head' })
  etaSeconds!: number | null

  @Field(() => [NamedCount], { description: 'Tokens per standard' })
  tokens!: NamedCount[]

  @Field(() => [NamedCount], { description: 'Contracts per standard' })
  contracts!: NamedCount[]

  @Field(() => [NamedCount], { description: 'Jobs per status (QUEUED, RUNNING, DONE, FAILED, INVALID)' })
  jobs!: NamedCount[]

  @Field(() => GraphQLISODateTime, { nullable: true })
  oldestQueuedAt!: Date | null

  @Field(() => Float, { nullable: true })
  oldestQueuedAgeSeconds!: number | null

  @Field(() => QueueThroughputType)
  throughput!: QueueThroughputType

  @Field(() => [MinuteActivityType])
  perMinute!: MinuteActivityType[]
}

@ObjectType('Status')
export class StatusType {
  @Field(() => String)
  version!: string

  @Field(() => GraphQLISODateTime)
  generatedAt!: Date

  @Field(() => GraphQLISODateTime, { nullable: true })
  oldestQueuedAt!: Date | null

  @Field(() => Float, { nullable: true })
  oldestQueuedAgeSeconds!: number | null

  @Field(() => [ChainStatusType])
  chains!: ChainStatusType[]

  @Field(() => [NamedCount], { description: 'media jobs (one per distinct image URL, all chains) by status' })
  mediaJobs!: NamedCount[]
}
