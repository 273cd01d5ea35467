// Owns how the configuration is shown to people: values the schema marks `secret: true` and passwords
// written inside URLs are replaced, so `veche config check` output can be pasted into a ticket.
import type { TSchema } from '@sinclair/typebox'
import { ConfigSchema, type Config } from './schema.ts'

export const HIDDEN = '(set, hidden)'

/** A URL's password (scheme://user:password@host) is a secret wherever the URL sits. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i

const redactValue = (schema: TSchema | undefined, value: unknown): unknown => {
  if (typeof value === 'string') {
    if (schema?.['secret'] === true) return value === '' ? '' : HIDDEN
    return value.replace(URL_PASSWORD, '$1***@')
  }
  if (Array.isArray(value)) return value.map((item) => redactValue((schema as { items?: TSchema } | undefined)?.items, item))
  if (value !== null && typeof value === 'object') {
    const properties = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties ?? {}
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(properties[key], item)]))
  }
  return value
}

/** redactSecrets returns a copy of `config` fit to print; an empty secret stays empty (it tells "not set"). */
export const redactSecrets = (config: Config): Config => redactValue(ConfigSchema, config) as Config

/** redactedUrl returns the URL setting `key` fit for logs and messages: a password in it replaced. */
export function redactedUrl(url: string, key: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return `(${key} is not a valid URL)`
  }
}
