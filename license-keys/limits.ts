// How large a vendor token and the text around it may be. Tokens come from files, pasted text and the
// network; each bound is checked before any decoding, so a token of gigabytes (or one nested 100,000
// deep) fails at once instead of filling memory. Readers use MAX_TEXT_BYTES to stop reading early.
import { MAX_RELEASE_FILES, type TokenKind } from './claims.ts'

export { MAX_RELEASE_FILES }

const KiB = 1024
const MiB = 1024 * KiB

/**
 * MAX_TOKEN_BYTES is the largest compact token of each kind. A license key is ~1 KiB even with a
 * 300-character Cyrillic licensee; a manifest entry is ~230 bytes once encoded, so 16 MiB holds
 * MAX_RELEASE_FILES of them.
 */
export const MAX_TOKEN_BYTES: Record<TokenKind, number> = {
  license: 8 * KiB,
  activation: 8 * KiB,
  updatePackage: 4 * KiB,
  release: 16 * MiB,
}

/** MAX_TEXT_BYTES bounds the text a token is taken from: the token plus an e-mail or armor around it. */
export const MAX_TEXT_BYTES: Record<TokenKind, number> = {
  license: 64 * KiB,
  activation: 64 * KiB,
  updatePackage: 64 * KiB,
  release: 16 * MiB + 64 * KiB,
}

/** A token header is `{"alg","kid","typ"}`: a few dozen bytes. */
export const MAX_HEADER_CHARS = 1024

/** Claims nest at most 3 deep (a manifest's files -> path -> [size, hash]); a little room above that. */
export const MAX_JSON_DEPTH = 8

/** formatBytes writes a size as people read it in a message: 900 bytes, 8 KiB, 1.5 MiB. */
export function formatBytes(n: number): string {
  if (n < KiB) return `${n} bytes`
  if (n < MiB) return `${Number((n / KiB).toFixed(1))} KiB`
  return `${Number((n / MiB).toFixed(1))} MiB`
}

/**
 * jsonDepthExceeds tells whether the JSON `text` nests objects and arrays deeper than `max`, looking
 * at each character once and stopping at the first level too deep (before JSON.parse recurses).
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}
