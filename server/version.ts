// This release's version, from package.json (the kit's manifest carries the same number).
import { existsSync, readFileSync } from 'node:fs'

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** A release kit carries release.json at its root; a development checkout does not. */
export const RELEASE_MARKER = new URL('../release.json', import.meta.url)

export interface ReleaseInfo {
  product: string
  version: string
  releaseDate: number
  /** Only kits built for tests trust the vendor's test keys. */
  allowTestKeys: boolean
}

/** releaseInfo returns this release's release.json, or undefined in a development checkout. */
export function releaseInfo(): ReleaseInfo | undefined {
  if (!existsSync(RELEASE_MARKER)) return undefined
  return JSON.parse(readFileSync(RELEASE_MARKER, 'utf8')) as ReleaseInfo
}
