/**
 * Sequence's TokenMetadata `video` and `audio` (seeds/000): a document's own `video` / `audio`
 * string when it has one, otherwise its animation_url when that URL names a video or an audio
 * file (by a `data:video/…` / `data:audio/…` media type or the path's extension). Anything else
 * (HTML, glTF, an extension-less URL) is left in animationUrl only: guessing would put a web page
 * into a <video> element.
 */

const VIDEO = new Set(['mp4', 'm4v', 'webm', 'mov', 'ogv', 'mkv', 'avi', 'mpeg', 'mpg'])
const AUDIO = new Set(['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus', 'weba'])

export type MediaKind = 'video' | 'audio'

export function mediaKindOf(url: string): MediaKind | undefined {
  const u = url.trim()
  const data = /^data:(video|audio)\//i.exec(u)
  if (data) return data[1].toLowerCase() as MediaKind
  const path = u.split(/[?#]/, 1)[0]!
  const dot = path.lastIndexOf('.')
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined
  const ext = path.slice(dot + 1).toLowerCase()
  return VIDEO.has(ext) ? 'video' : AUDIO.has(ext) ? 'audio' : undefined
}

export function mediaFields(doc: Record<string, unknown> | null): { video?: string; audio?: string } {
  if (!doc) return {}
  const own = (k: string) => (typeof doc[k] === 'string' && (doc[k] as string).trim() !== '' ? (doc[k] as string) : undefined)
  const animation = own('animation_url')
  const kind = animation ? mediaKindOf(animation) : undefined
  return { video: own('video') ?? (kind === 'video' ? animation : undefined), audio: own('audio') ?? (kind === 'audio' ? animation : undefined) }
}
