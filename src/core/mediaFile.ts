/** What the media cache stores for one file (src/media writes it, src/store/media.ts keeps it). */

/** What a media file is, from its bytes. */
export type MediaKind = 'image' | 'video' | 'audio'

export interface StoredThumbnail {
  /** The configured width (MEDIA_THUMBNAIL_WIDTHS) this one answers for. */
  requestedWidth: number
  width: number
  height: number
  key: string
  mimeType: string
  size: number
}

/** A stored file set, shared by every source whose bytes hash the same. */
export interface MediaFile {
  contentHash: string
  kind: MediaKind
  mimeType: string
  ext: string
  size: number
  width: number | null
  height: number | null
  frames: number | null
  originalKey: string
  thumbnails: StoredThumbnail[]
  placeholder: string | null
}

/** A media job's result: the file stored for one source. */
export interface MediaResultRow {
  sourceKey: string
  file: MediaFile
}
