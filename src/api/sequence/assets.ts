import type { MediaView } from '../../store/media'
import type { MediaLinks } from '../media/mediaLinks'
import type { SequenceAsset } from './tokenMetadata'

/**
 * Sequence's `assets`: one per cached file of the token's `image` and `animation_url` (the two
 * metadataField values Sequence uses), in the seed's Asset shape. `id` and `collectionId` are our
 * numeric ids (media_use.asset_id, media_collection.id); `url` is the cached original;
 * `filename` the last path segment of the document's URL (the stored name when it has none).
 */
export function sequenceAssets(media: readonly MediaView[] | undefined, links: MediaLinks): SequenceAsset[] {
  const out: SequenceAsset[] = []
  for (const m of media ?? []) {
    if ((m.field !== 'image' && m.field !== 'animation_url') || !m.file || m.collectionId === null) continue
    const f = m.file
    const asset: SequenceAsset = {
      id: Number(m.assetId),
      collectionId: Number(m.collectionId),
      tokenId: m.tokenId ? m.tokenId.slice(m.tokenId.lastIndexOf(':') + 1) : undefined,
      url: links.url(f.originalKey),
      metadataField: m.field,
      filename: filenameOf(m.value) ?? f.originalKey.slice(3),
      filesize: f.size,
      mimeType: f.mimeType,
      width: f.width ?? undefined,
      height: f.height ?? undefined,
      updatedAt: m.updatedAt.toISOString(),
    }
    for (const k of Object.keys(asset) as (keyof SequenceAsset)[]) if (asset[k] === undefined) delete asset[k]
    out.push(asset)
  }
  return out
}

function filenameOf(value: string): string | undefined {
  if (/^data:/i.test(value.trim())) return undefined
  const path = value.trim().split(/[?#]/, 1)[0]!
  const last = path.slice(path.lastIndexOf('/') + 1)
  return last.length > 0 && last.length <= 255 && !last.includes(':') ? decodeURIComponentSafe(last) : undefined
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
