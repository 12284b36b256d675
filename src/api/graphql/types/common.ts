import { Field, Int, ObjectType } from 'type-graphql'

@ObjectType('PageInfo', { description: 'Cursor pagination: pass endCursor as `after` to get the next page.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean

  @Field(() => String, { nullable: true, description: 'Opaque; null when the page is empty' })
  endCursor!: string | null
}

@ObjectType('MetadataError', { description: 'Why metadata could not be fetched (codes are shared by every API surface)' })
export class MetadataErrorType {
  @Field(() => String, { description: 'e.g. token_not_found, timeout, unable_to_decode_response, uri_disallowed' })
  code!: string

  @Field(() => String, { nullable: true })
  message!: string | null

  @Field(() => Int, { nullable: true, description: 'HTTP status the metadata host answered, when it answered' })
  httpStatus!: number | null

  @Field(() => String, { nullable: true, description: "URL where the failure happened (a redirect target, the gateway URL); the token URI read from the chain is the token's uri" })
  url!: string | null
}
