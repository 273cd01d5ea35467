// This release's version, from package.json (the kit's manifest carries the same number).
import { readFileSync } from 'node:fs'

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** A release kit carries release.json at its root; a development checkout does not. */
export const RELEASE_MARKER = new URL('../release.json', import.meta.url)
