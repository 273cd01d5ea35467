// Admin texts of the web client, English and Russian. en.ts and ru.ts spread them in.
import type { EnglishPlural } from '../plural.ts'
import type { RussianOf } from './russian-of.ts'

export const adminEn = {} satisfies Record<string, string | EnglishPlural>

export const adminRu: RussianOf<typeof adminEn> = {}
