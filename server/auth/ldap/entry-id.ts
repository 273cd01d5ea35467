// The name Veche keeps for a directory person (users.external_id). A DN changes when someone moves to
// another OU or is renamed; the entry's UUID does not, so it is preferred wherever the directory has one:
// objectGUID (Active Directory, 16 bytes) or entryUUID (RFC 4530: OpenLDAP, 389-ds, FreeIPA). The id
// names the attribute it came from, so the entry can be found again by exactly that attribute.
import { EqualityFilter, type Entry } from 'ldapts'

/** The attributes a user search asks for so entryId can find a UUID (operational ones must be named). */
export const ID_ATTRIBUTES = ['objectGUID', 'entryUUID']
/** objectGUID is binary; read as text it would be mangled. */
export const BINARY_ID_ATTRIBUTES = ['objectGUID']

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const OBJECT_GUID = 'objectguid:'
const ENTRY_UUID = 'entryuuid:'

const first = (entry: Entry, attribute: string): Buffer | string | undefined => {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute)
  const value = key === undefined ? undefined : entry[key]
  return Array.isArray(value) ? value[0] : value
}

/**
 * entryId returns `objectguid:<uuid>` or `entryuuid:<uuid>` when the entry carries one, else its DN (which
 * is also what accounts made before UUIDs were used are keyed by).
 */
export function entryId(entry: Entry): string {
  const guid = first(entry, 'objectguid')
  if (Buffer.isBuffer(guid) && guid.length === 16) return OBJECT_GUID + guidToString(guid)
  const uuid = first(entry, 'entryuuid')
  if (typeof uuid === 'string' && UUID.test(uuid.toLowerCase())) return ENTRY_UUID + uuid.toLowerCase()
  return entry.dn
}

/**
 * findBy tells how to find the entry an id names again: a filter on the UUID attribute it came from,
 * or (for a DN) the entry itself.
 */
export function findBy(id: string): { filter: EqualityFilter } | { dn: string } {
  if (id.startsWith(OBJECT_GUID)) return { filter: new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(id.slice(OBJECT_GUID.length)) }) }
  if (id.startsWith(ENTRY_UUID)) return { filter: new EqualityFilter({ attribute: 'entryUUID', value: id.slice(ENTRY_UUID.length) }) }
  return { dn: id }
}

// Active Directory stores the first three groups of a GUID little-endian, the last two in byte order.
const GUID_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]

/** guidToString writes an Active Directory objectGUID the way AD's own tools show it. */
export function guidToString(bytes: Buffer): string {
  const hex = GUID_ORDER.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** guidToBytes is guidToString's inverse: the 16 bytes AD stores. */
export function guidToBytes(guid: string): Buffer {
  const shown = Buffer.from(guid.replaceAll('-', ''), 'hex')
  const bytes = Buffer.alloc(16)
  GUID_ORDER.forEach((from, to) => (bytes[from] = shown[to]!))
  return bytes
}
