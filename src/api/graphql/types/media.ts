import { Field, Int, ObjectType } from 'type-graphql'

@ObjectType('MediaError', {
  description: 'Why a media file could not be cached (e.g. media_too_many_pixels, media_undecodable, unsupported_content_type, response_too_large, timeout, uri_disallowed)',
})
export class MediaErrorType {
  @Field(() => String)
  code!: string

  @Field(() => String, { nullable: true })
  message!: string | null
}

@ObjectType('Thumbnail', { description: 'A cached thumbnail (WebP; animated images stay animated)' })
export class ThumbnailType {
  @Field(() => Int, { description: 'actual width in pixels (at most the configured one: images are never enlarged)' })
  width!: number

  @Field(() => String)
  url!: string
}

@ObjectType('CachedImage', { description: "The document's image, cached: original, thumbnails and a placeholder" })
export class CachedImageType {
  @Field(() => String, { description: "the document's image value, as written" })
  original!: string

  @Field(() => String, { nullable: true, description: 'URL of the cached original (null until cached)' })
  cached!: string | null

  @Field(() => Int, { nullable: true })
  width!: number | null

  @Field(() => Int, { nullable: true })
  height!: number | null

  @Field(() => String, { nullable: true, description: "type sniffed from the bytes (never the host's Content-Type)" })
  mimeType!: string | null

  @Field(() => String, { nullable: true, description: 'ThumbHash (base64) to paint while the image loads' })
  placeholder!: string | null

  @Field(() => [ThumbnailType])
  thumbnails!: ThumbnailType[]

  @Field(() => String, { description: 'PENDING (queued or running), AVAILABLE, FAILED (retries exhausted) or INVALID (cannot be cached: see error)' })
  status!: string

  @Field(() => MediaErrorType, { nullable: true })
  error!: MediaErrorType | null
}
