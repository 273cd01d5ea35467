// Owns the conversation with the corporate directory (OpenLDAP, Active Directory) for one sign-in:
// connect (ldaps, or ldap + StartTLS), find the user's entry, prove the password by binding as it,
// read e-mail, name and groups. One connection per sign-in, always closed.
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { AndFilter, Client, FilterParser, InappropriateAuthError, InvalidCredentialsError, NoSuchObjectError, type Entry, type Filter } from 'ldapts'
import { ConfigError } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import type { Role } from '../../db/users-repository.ts'
import { DirectoryError, directoryError } from './errors.ts'
import { BINARY_ID_ATTRIBUTES, entryId, findBy, ID_ATTRIBUTES } from './entry-id.ts'
import { fillFilter } from './filter.ts'
import { normalizeDn, roleFor } from './roles.ts'

export type LdapConfig = Config['ldap']

/** What the directory says about a user whose password it accepted. */
export interface DirectoryUser {
  /** The user's stable name in Veche (users.external_id): `objectguid:…` or `entryuuid:…` where the entry has one, else the DN. */
  id: string
  /** The entry's DN: what accounts were keyed by before UUIDs, and what logs name. */
  dn: string
  /** '' when the entry has no usable e-mail address: such a user cannot get an account. */
  email: string
  displayName: string
  /** Group DNs, as the directory wrote them. */
  groups: string[]
  /** The role the groups give; null: not in ldap.requiredGroups, may not sign in. */
  role: Role | null
}

/**
 * Where a signed-in directory user stands now: 'permitted' may go on; 'gone' (no entry under
 * ldap.searchBase that ldap.userFilter admits), 'disabled' (Active Directory's ACCOUNTDISABLE flag) and 'not_permitted'
 * (no longer in ldap.requiredGroups) may not.
 */
export type Standing = 'permitted' | 'gone' | 'disabled' | 'not_permitted'

export interface DirectoryLog {
  warn(fields: object, message: string): void
}

/** What sign-in needs from a directory; the tests' and the plugin's directory is LdapDirectory. */
export interface Directory {
  /** The configured URL, for logs. */
  readonly url: string
  /**
   * authenticate returns the user when `password` is theirs, null when the login is unknown, ambiguous
   * or the password wrong. Throws DirectoryError when the directory gives no answer.
   */
  authenticate(login: string, password: string): Promise<DirectoryUser | null>
  /**
   * standings looks users up by the id sign-in stored (DirectoryUser.id), as the service account, a batch
   * per connection. Throws DirectoryError when the directory gives no answer: then nobody's standing is known.
   */
  standings(ids: readonly string[]): Promise<Map<string, Standing>>
}

const MAX_NAME = 64
/** Users looked up over one connection (within ldap.timeoutSeconds) when re-checking sessions. */
const STANDINGS_PER_CONNECTION = 50
const EMAIL = /^[^\s@]+@[^\s@]+$/

export class LdapDirectory implements Directory {
  readonly url: string
  readonly #config: LdapConfig
  readonly #ca: string | undefined
  readonly #host: string
  readonly #log: DirectoryLog | undefined

  private constructor(config: LdapConfig, ca: string | undefined, host: string, log: DirectoryLog | undefined) {
    this.url = config.url
    this.#config = config
    this.#ca = ca
    this.#host = host
    this.#log = log
  }

  /**
   * create checks the ldap section and reads ldap.caFile; throws ConfigError naming the key when the
   * settings cannot work. Nothing is sent to the directory yet.
   */
  static create(config: LdapConfig, log?: DirectoryLog): LdapDirectory {
    const fail = (key: string, why: string): never => {
      throw new ConfigError(`config key 'ldap.${key}': ${why}`)
    }
    let url: URL
    try {
      url = new URL(config.url)
    } catch {
      return fail('url', `'${config.url}' is not a URL; write ldap://host or ldaps://host:port`)
    }
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') fail('url', `'${config.url}' must start with ldap:// or ldaps://`)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (!host) fail('url', `'${config.url}' names no host`)
    if (config.startTls && url.protocol === 'ldaps:') fail('startTls', 'applies to ldap:// URLs; ldaps:// is TLS already: set it to false')
    if (!config.searchBase.trim()) fail('searchBase', 'is required with ldap.url: the DN under which users are found, e.g. ou=people,dc=corp,dc=example')
    if (config.bindDn && !config.bindPassword) {
      fail('bindPassword', 'is empty but ldap.bindDn is set: a bind with an empty password is anonymous; set the service account password')
    }
    if (!config.userFilter.includes('{login}')) fail('userFilter', 'must contain {login}, where what the user typed goes')
    const parses = (key: string, template: string): void => {
      try {
        FilterParser.parseString(fillFilter(template, { login: 'x', dn: 'cn=x' }))
      } catch (err) {
        fail(key, `is not a valid LDAP filter: ${(err as Error).message}`)
      }
    }
    parses('userFilter', config.userFilter)
    if (config.groupSearchBase) parses('groupFilter', config.groupFilter)
    let ca: string | undefined
    if (config.caFile) {
      try {
        ca = readFileSync(config.caFile, 'utf8')
      } catch (err) {
        return fail('caFile', `cannot read ${config.caFile}: ${(err as Error).message}`)
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) fail('caFile', `${config.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
    }
    return new LdapDirectory(config, ca, host, log)
  }

  /** sendsPasswordsInClear: an ldap:// URL without StartTLS, to a host other than this machine. */
  get sendsPasswordsInClear(): boolean {
    return this.url.startsWith('ldap:') && !this.#config.startTls && !/^(127\.|::1$|localhost$)/.test(this.#host)
  }

  async authenticate(login: string, password: string): Promise<DirectoryUser | null> {
    // An empty password makes a simple bind "unauthenticated", which directories answer with success.
    if (password === '') return null
    // A lone surrogate cannot be sent as UTF-8; such a login names nobody.
    if (login.trim() === '' || /\p{Cs}/u.test(login)) return null
    return this.#connected((client) => this.#conversation(client, login.trim(), password))
  }

  /**
   * probe does what every sign-in starts with (connect, StartTLS, bind as ldap.bindDn) and reads the
   * ldap.searchBase entry itself, so an administrator learns of a wrong setting before anyone signs in.
   * Throws DirectoryError naming the setting to fix; resolves when all of it worked.
   */
  async probe(): Promise<void> {
    const base = this.#config.searchBase
    await this.#connected(async (client) => {
      await this.#begin(client)
      await this.#step(`reading the ldap.searchBase entry '${base}' (it must exist and be readable)`, () =>
        client.search(base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }),
      )
    })
  }

  /** connected runs `use` on a new connection, within ldap.timeoutSeconds, and always closes it. */
  async #connected<T>(use: (client: Client) => Promise<T>): Promise<T> {
    const timeoutMs = this.#config.timeoutSeconds * 1000
    const secure = this.url.startsWith('ldaps:')
    const client = new Client({
      url: this.url,
      connectTimeout: timeoutMs,
      timeout: timeoutMs,
      // ldapts speaks TLS from the start whenever tlsOptions are given, so only ldaps:// gets them.
      ...(secure ? { tlsOptions: this.#tlsOptions() } : {}),
    })
    let timer: NodeJS.Timeout | undefined
    const late = `the directory at ${this.url} did not answer within ${this.#config.timeoutSeconds} s (ldap.timeoutSeconds)`
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DirectoryError('timeout', late)), timeoutMs)
    })
    try {
      return await Promise.race([use(client), deadline])
    } finally {
      clearTimeout(timer)
      await client.unbind().catch(() => undefined)
    }
  }

  /** step runs one request of the conversation; a failure becomes a DirectoryError about `doing`. */
  async #step<T>(doing: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      throw directoryError(err, this.url, doing)
    }
  }

  /** bindService binds as ldap.bindDn, the service account that searches. */
  #bindService(client: Client): Promise<void> {
    const c = this.#config
    return this.#step(`the bind as ldap.bindDn '${c.bindDn}' (check ldap.bindDn and ldap.bindPassword)`, () => client.bind(c.bindDn, c.bindPassword))
  }

  /** begin upgrades the connection with StartTLS when configured, then binds as the service account when there is one. */
  async #begin(client: Client): Promise<void> {
    if (this.#config.startTls) {
      // The host is named so the certificate is checked against it (an IP is not a valid SNI name).
      const options: ConnectionOptions = { ...this.#tlsOptions(), host: this.#host, ...(isIP(this.#host) ? {} : { servername: this.#host }) }
      await this.#step('the StartTLS request (ldap.startTls)', () => client.startTLS(options))
    }
    if (this.#config.bindDn) await this.#bindService(client)
  }

  #tlsOptions(): ConnectionOptions {
    return {
      minVersion: 'TLSv1.2',
      ...(this.#ca ? { ca: [this.#ca] } : {}),
    }
  }

  /** What a user search reads: e-mail, name, the ids, groups, and AD's account flags. */
  #userAttributes(): string[] {
    const c = this.#config
    return [c.emailAttribute, c.nameAttribute, 'cn', 'userAccountControl', ...ID_ATTRIBUTES, ...(c.groupAttribute ? [c.groupAttribute] : [])]
  }

  /**
   * groupsOf lists the entry's group DNs: ldap.groupAttribute's values and what the group search finds.
   * `login` is what the user typed at sign-in; undefined when re-checking, where the group search may
   * not be possible as sign-in did it: then undefined (groups unknown).
   */
  async #groupsOf(client: Client, entry: Entry, login: string | undefined): Promise<string[] | undefined> {
    const c = this.#config
    const groups = c.groupAttribute ? values(entry, c.groupAttribute) : []
    if (!c.groupSearchBase) return groups
    // Re-checking: a groupFilter that needs {login} cannot be filled; without a service account, sign-in
    // searched groups bound as the user, whose rights an anonymous search may not have.
    if (login === undefined && (c.groupFilter.includes('{login}') || !c.bindDn)) return undefined
    const result = await this.#step(`the group search under ldap.groupSearchBase '${c.groupSearchBase}'`, () =>
      client.search(c.groupSearchBase, { scope: 'sub', filter: fillFilter(c.groupFilter, { login: login ?? '', dn: entry.dn }), attributes: ['1.1'] }),
    )
    const known = new Set(groups.map(normalizeDn))
    groups.push(...result.searchEntries.map((g) => g.dn).filter((dn) => !known.has(normalizeDn(dn))))
    return groups
  }

  async standings(ids: readonly string[]): Promise<Map<string, Standing>> {
    const standings = new Map<string, Standing>()
    // ldap.timeoutSeconds bounds one connection: a large workspace is asked in batches, one connection each.
    for (let start = 0; start < ids.length; start += STANDINGS_PER_CONNECTION) {
      await this.#standingsOf(ids.slice(start, start + STANDINGS_PER_CONNECTION), standings)
    }
    return standings
  }

  async #standingsOf(ids: readonly string[], standings: Map<string, Standing>): Promise<void> {
    await this.#connected(async (client) => {
      await this.#begin(client)
      for (const id of ids) {
        const entry = await this.#entryById(client, id)
        if (entry === undefined) standings.set(id, 'gone')
        else if (disabled(entry)) standings.set(id, 'disabled')
        else {
          // Groups only matter when ldap.requiredGroups is set; unknown groups leave the user be.
          const groups = this.#config.requiredGroups.length > 0 ? await this.#groupsOf(client, entry, undefined) : undefined
          standings.set(id, groups !== undefined && roleFor(groups, this.#config) === null ? 'not_permitted' : 'permitted')
        }
      }
    })
  }

  /**
   * anyLogin is ldap.userFilter with every {login} a wildcard: what makes an entry one that may sign in
   * at all, e.g. AD's "not disabled" clause, so the re-check honours it too.
   */
  #anyLogin(): Filter {
    return FilterParser.parseString(this.#config.userFilter.replaceAll('{login}', '*'))
  }

  /**
   * entryById finds the entry a stored id names under ldap.searchBase that ldap.userFilter (for any
   * login) still admits; undefined: there is none.
   */
  async #entryById(client: Client, id: string): Promise<Entry | undefined> {
    const c = this.#config
    const how = findBy(id)
    const options = { attributes: this.#userAttributes(), explicitBufferAttributes: BINARY_ID_ATTRIBUTES }
    if ('filter' in how) {
      const filter = new AndFilter({ filters: [how.filter, this.#anyLogin()] })
      const found = await this.#step(`the user search under ldap.searchBase '${c.searchBase}'`, () =>
        client.search(c.searchBase, { scope: 'sub', filter, sizeLimit: 2, ...options }),
      )
      return found.searchEntries.length === 1 ? found.searchEntries[0] : undefined
    }
    try {
      const found = await client.search(how.dn, { scope: 'base', filter: this.#anyLogin(), ...options })
      return found.searchEntries[0]
    } catch (err) {
      if (err instanceof NoSuchObjectError) return undefined
      throw directoryError(err, this.url, `reading the entry '${how.dn}'`)
    }
  }

  async #conversation(client: Client, login: string, password: string): Promise<DirectoryUser | null> {
    const c = this.#config
    await this.#begin(client)

    const found = await this.#step(`the user search under ldap.searchBase '${c.searchBase}'`, () =>
      client.search(c.searchBase, {
        scope: 'sub',
        filter: fillFilter(c.userFilter, { login }),
        attributes: this.#userAttributes(),
        explicitBufferAttributes: BINARY_ID_ATTRIBUTES,
        sizeLimit: 2,
      }),
    )
    const entries = found.searchEntries
    if (entries.length === 0) return null
    if (entries.length > 1) {
      // Refusing is the only safe answer: which person typed this login is unknowable.
      this.#log?.warn({ login, entries: entries.map((e) => e.dn) }, 'LDAP sign-in refused: the login matches more than one entry (narrow ldap.userFilter)')
      return null
    }
    const entry = entries[0]!

    try {
      await client.bind(entry.dn, password)
    } catch (err) {
      if (err instanceof InvalidCredentialsError || err instanceof InappropriateAuthError) return null
      throw directoryError(err, this.url, 'the bind as the user')
    }

    // The user's own rights may not cover reading groups; the service account's do.
    if (c.groupSearchBase && c.bindDn) await this.#bindService(client)
    const groups = await this.#groupsOf(client, entry, login)

    const email = values(entry, c.emailAttribute).find((v) => EMAIL.test(v) && v.length <= 254) ?? ''
    if (!email) this.#log?.warn({ dn: entry.dn, attribute: c.emailAttribute }, 'LDAP entry has no usable e-mail address (ldap.emailAttribute)')
    const name = values(entry, c.nameAttribute)[0] ?? values(entry, 'cn')[0] ?? login
    return {
      id: entryId(entry),
      dn: entry.dn,
      email,
      displayName: [...name.trim()].slice(0, MAX_NAME).join('') || login,
      groups: groups ?? [],
      role: roleFor(groups ?? [], c),
    }
  }
}

/** ACCOUNTDISABLE in Active Directory's userAccountControl flags. */
const ACCOUNT_DISABLED = 0x2

/** disabled: the entry carries Active Directory's ACCOUNTDISABLE flag. */
function disabled(entry: Entry): boolean {
  const flags = Number(values(entry, 'userAccountControl')[0])
  return Number.isInteger(flags) && (flags & ACCOUNT_DISABLED) !== 0
}

/** values returns an attribute's string values; attribute names compare case-insensitively. */
function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase())
  if (!key || key === 'dn') return []
  const v = entry[key]!
  const list = Array.isArray(v) ? v : [v]
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x)).filter((x) => x.trim() !== '')
}
