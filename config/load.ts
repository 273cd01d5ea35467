// Loads the configuration: embedded defaults <- YAML file <- VECHE_* environment <- --set flags.
// Strict: an unknown key or a wrong type is an error that names the key and where it came from.
import { readFileSync } from 'node:fs'
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import { parse as parseYaml } from 'yaml'
import { clusterProblem } from './cluster.ts'
import { ConfigSchema, type Config } from './schema.ts'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export interface LoadOptions {
  /** YAML file; when absent only defaults, environment and flags apply. */
  file?: string | undefined
  env?: NodeJS.ProcessEnv
  /** `section.key=value` strings, as given to `--set`. */
  set?: string[]
}

/** Environment variables that start with VECHE_ but are not configuration keys. */
const NOT_CONFIG_ENV = new Set(['VECHE_CONFIG', 'VECHE_CACHE', 'VECHE_NODE', 'VECHE_FAILPOINTS'])

/** Shorter names an operator may use for a key, e.g. the Redis password every Redis tool calls so. */
const ENV_ALIASES = new Map<string, [string, string]>([['VECHE_REDIS_PASSWORD', ['cluster', 'redisPassword']]])

type Raw = Record<string, Record<string, unknown>>

/** envName returns the variable that sets `section.key`, e.g. media.announcedAddress -> VECHE_MEDIA_ANNOUNCED_ADDRESS. */
export function envName(section: string, key: string): string {
  return `VECHE_${section}_${key.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase()
}

function leafSchema(section: string, key: string): TSchema | undefined {
  const sectionSchema = ConfigSchema.properties[section as keyof Config] as TSchema | undefined
  const props = sectionSchema?.properties as Record<string, TSchema> | undefined
  return props && Object.hasOwn(props, key) ? props[key] : undefined
}

function parseJsonList(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Turns a string from the environment or a flag into the type the schema wants. */
function fromString(schema: TSchema, text: string): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return text.trim() === '' ? text : Number(text)
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text
    case 'array':
      // A JSON list for items that hold commas themselves (LDAP DNs); a wrong one fails validation.
      if (text.trimStart().startsWith('[')) return parseJsonList(text)
      return text === '' ? [] : text.split(',').map((s) => s.trim())
    default:
      return text
  }
}

function put(raw: Raw, sources: Map<string, string>, section: string, key: string, value: unknown, source: string): void {
  if (!leafSchema(section, key)) throw new ConfigError(`unknown config key '${section}.${key}' (${source})`)
  raw[section] ??= {}
  raw[section][key] = value
  sources.set(`/${section}/${key}`, source)
}

function mergeFile(raw: Raw, sources: Map<string, string>, file: string): void {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`)
  }
  if (doc === null || doc === undefined) return
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must be a mapping of sections`)
  for (const [section, body] of Object.entries(doc)) {
    if (!Object.hasOwn(ConfigSchema.properties, section)) {
      throw new ConfigError(`unknown config section '${section}' (in ${file})`)
    }
    if (body === null) continue
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new ConfigError(`config section '${section}' must be a mapping (in ${file})`)
    }
    for (const [key, value] of Object.entries(body as object)) put(raw, sources, section, key, value, `in ${file}`)
  }
}

function mergeEnv(raw: Raw, sources: Map<string, string>, env: NodeJS.ProcessEnv): void {
  const known = new Map<string, [string, string]>()
  for (const [section, schema] of Object.entries(ConfigSchema.properties)) {
    for (const key of Object.keys((schema as TSchema).properties as object)) known.set(envName(section, key), [section, key])
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('VECHE_') || NOT_CONFIG_ENV.has(name) || value === undefined) continue
    const alias = ENV_ALIASES.get(name)
    // The key's own name wins over its alias when both are set.
    if (alias && env[envName(...alias)] !== undefined) continue
    const target = known.get(name) ?? alias
    if (!target) throw new ConfigError(`unknown config environment variable ${name}`)
    const [section, key] = target
    put(raw, sources, section, key, fromString(leafSchema(section, key)!, value), `from environment ${name}`)
  }
}

function mergeFlags(raw: Raw, sources: Map<string, string>, flags: string[]): void {
  for (const flag of flags) {
    const m = /^([a-zA-Z]+)\.([a-zA-Z]+)=(.*)$/s.exec(flag)
    if (!m) throw new ConfigError(`--set expects section.key=value, got '${flag}'`)
    const [, section, key, value] = m as unknown as [string, string, string, string]
    const schema = leafSchema(section, key)
    if (!schema) throw new ConfigError(`unknown config key '${section}.${key}' (from --set)`)
    put(raw, sources, section, key, fromString(schema, value), 'from --set')
  }
}

/**
 * loadConfig returns the validated configuration with every default filled in.
 * Throws ConfigError naming the offending key and its source.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const raw: Raw = {}
  const sources = new Map<string, string>()
  if (options.file) mergeFile(raw, sources, options.file)
  mergeEnv(raw, sources, options.env ?? {})
  mergeFlags(raw, sources, options.set ?? [])
  for (const section of Object.keys(ConfigSchema.properties)) raw[section] ??= {}
  const config = Value.Default(ConfigSchema, raw)
  const first = Value.Errors(ConfigSchema, config).First()
  if (first) {
    const key = first.path.split('/').filter(Boolean).slice(0, 2).join('.')
    const source = sources.get(first.path.split('/').slice(0, 3).join('/')) ?? 'default'
    throw new ConfigError(`config key '${key}': ${first.message.toLowerCase()}, got ${JSON.stringify(first.value)} (${source})`)
  }
  const cluster = clusterProblem((config as Config).cluster)
  if (cluster) {
    const key = /^cluster\.\w+/.exec(cluster)?.[0] ?? 'cluster.redisUrl'
    throw new ConfigError(`${cluster} (${sources.get(`/${key.replace('.', '/')}`) ?? 'default'})`)
  }
  return config as Config
}
