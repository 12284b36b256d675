import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql'
import { PageInfo } from './common'

export const WebhookStatusEnum = { ACTIVE: 'ACTIVE', PAUSED: 'PAUSED' } as const
registerEnumType(WebhookStatusEnum, { name: 'WebhookStatus', description: 'PAUSED: WEBHOOK_PAUSE_AFTER_FAILURES attempts failed in a row; resumeWebhook sends the backlog' })

export const DeliveryStatusEnum = { PENDING: 'PENDING', DELIVERED: 'DELIVERED' } as const
registerEnumType(DeliveryStatusEnum, { name: 'DeliveryStatus', description: 'PENDING: not yet answered 2xx (being retried, or its webhook is paused). DELIVERED: answered 2xx' })

@ObjectType('WebhookDelivery', { description: 'One event for one webhook: the delivery log' })
export class WebhookDeliveryType {
  @Field(() => ID)
  id!: string

  @Field(() => String, { description: 'The idempotency id sent as webhook-id (evt_<n>)' })
  eventId!: string

  @Field(() => String)
  type!: string

  @Field(() => String)
  chain!: string

  @Field(() => String, { description: 'The token id (<chain>:<address>:<id>) or, for contract-level events, the contract id' })
  subject!: string

  @Field(() => DeliveryStatusEnum)
  status!: keyof typeof DeliveryStatusEnum

  @Field(() => Int, { description: 'Attempts made' })
  attempts!: number

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer, when there was one' })
  lastStatus!: number | null

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (HTTP 500, timeout: …, uri_disallowed: …)' })
  lastError!: string | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastAttemptAt!: Date | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  deliveredAt!: Date | null

  @Field(() => GraphQLISODateTime)
  createdAt!: Date
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryType])
  nodes!: WebhookDeliveryType[]

  @Field(() => PageInfo)
  pageInfo!: PageInfo
}

@ObjectType('Webhook', { description: 'A webhook subscription of the calling API key' })
export class WebhookType {
  @Field(() => ID)
  id!: string

  @Field(() => String)
  url!: string

  @Field(() => String, { nullable: true })
  description!: string | null

  @Field(() => [String], { description: 'Chains it is told about (empty: every chain)' })
  chains!: string[]

  @Field(() => [String], { description: 'Contract ids it is told about (empty: every contract; a key with collections: within them)' })
  contracts!: string[]

  @Field(() => [String], { description: 'Event types it is told about (empty: every type)' })
  eventTypes!: string[]

  @Field(() => WebhookStatusEnum)
  status!: keyof typeof WebhookStatusEnum

  @Field(() => Int, { description: 'Failed attempts in a row' })
  consecutiveFailures!: number

  @Field(() => String, { nullable: true })
  lastError!: string | null

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastSuccessAt!: Date | null

  @Field(() => GraphQLISODateTime)
  createdAt!: Date
}

@ObjectType('CreatedWebhook')
export class CreatedWebhookType {
  @Field(() => WebhookType)
  webhook!: WebhookType

  @Field(() => String, { description: 'The signing secret (whsec_…), shown once: store it where your receiver verifies requests' })
  secret!: string
}
