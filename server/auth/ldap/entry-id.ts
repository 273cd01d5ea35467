// The name Veche keeps for a directory person (users.external_id). A DN changes when someone moves to
// another OU or is renamed; the entry's UUID does not, so it is preferred wherever the directory has one:
// entryUUID (RFC 4530: OpenLDAP, 389-ds, FreeIPA) or objectGUID (Active Directory, 16 bytes).
import type { Entry } from 'ldapts'

/** The attributes a user search asks for so entryId can find a UUID (operational ones must be named). */
export const ID_ATTRIBUTES = ['entryUUID', 'objectGUID']
/** objectGUID is binary; read as text it would be mangled. */
export const BINARY_ID_ATTRIBUTES = ['objectGUID']

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * entryId returns `uuid:<uuid>` when the entry carries entryUUID or objectGUID, else its DN (which is also
 * what accounts made before UUIDs were used are keyed by).
 */
export function entryId(entry: Entry): string {
  const uuid = uuidOf(entry)
  return uuid ? `uuid:${uuid}` : entry.dn
}

function uuidOf(entry: Entry): string | undefined {
  for (const [key, value] of Object.entries(entry)) {
    const first = Array.isArray(value) ? value[0] : value
    if (first === undefined) continue
    const name = key.toLowerCase()
    if (name === 'entryuuid' && typeof first === 'string' && UUID.test(first.toLowerCase())) return first.toLowerCase()
    if (name === 'objectguid' && Buffer.isBuffer(first) && first.length === 16) return guidToString(first)
  }
  return undefined
}

/**
 * guidToString writes an Active Directory objectGUID the way AD's own tools show it: the first three
 * groups are stored little-endian, the last two in byte order.
 */
export function guidToString(bytes: Buffer): string {
  const hex = (indices: number[]): string => indices.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('')
  return [hex([3, 2, 1, 0]), hex([5, 4]), hex([7, 6]), hex([8, 9]), hex([10, 11, 12, 13, 14, 15])].join('-')
}
