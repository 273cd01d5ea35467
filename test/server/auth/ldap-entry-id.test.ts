// The name kept for a directory person: the entry's UUID where there is one, written as the directory's
// own tools write it, else the DN; and how the entry is found again from that name.
import t from 'tap'
import { EqualityFilter, type Entry } from 'ldapts'
import { entryId, findBy, guidToBytes, guidToString } from '../../../server/auth/ldap/entry-id.ts'

const bytes = Buffer.from([...Array(16).keys()])
const GUID = '03020100-0504-0706-0809-0a0b0c0d0e0f'

t.test("an Active Directory objectGUID is written the way AD's tools show it, and read back", async (t) => {
  t.equal(guidToString(bytes), GUID, 'first three groups little-endian')
  t.same(guidToBytes(GUID), bytes)
  t.equal(entryId({ dn: 'CN=Bob,OU=Sales,DC=corp', objectGUID: bytes } as Entry), `objectguid:${GUID}`)
  const found = findBy(`objectguid:${GUID}`)
  t.ok('filter' in found && found.filter instanceof EqualityFilter && found.filter.attribute === 'objectGUID')
  t.same('filter' in found && found.filter.value, bytes, 'searched by the bytes AD stores')
})

t.test('entryUUID is used in lower case; attribute names in any case', async (t) => {
  const uuid = '3F2504E0-4F89-11D3-9A0C-0305E82C3301'
  t.equal(entryId({ dn: 'cn=x', entryUUID: uuid }), `entryuuid:${uuid.toLowerCase()}`)
  t.equal(entryId({ dn: 'cn=x', entryuuid: [uuid] }), `entryuuid:${uuid.toLowerCase()}`)
  t.match(findBy(`entryuuid:${uuid.toLowerCase()}`), { filter: { attribute: 'entryUUID', value: uuid.toLowerCase() } })
})

t.test('no usable UUID: the DN, as accounts were keyed before, found as itself', async (t) => {
  t.equal(entryId({ dn: 'cn=x,dc=corp' }), 'cn=x,dc=corp')
  t.equal(entryId({ dn: 'cn=x', entryUUID: 'not a uuid' }), 'cn=x', 'a malformed value is not trusted')
  t.equal(entryId({ dn: 'cn=x', objectGUID: Buffer.from([1, 2, 3]) } as Entry), 'cn=x', 'a GUID of the wrong length is not trusted')
  t.equal(entryId({ dn: 'cn=x', objectGUID: 'mangled text' }), 'cn=x', 'a GUID read as text cannot be trusted')
  t.same(findBy('cn=x,dc=corp'), { dn: 'cn=x,dc=corp' })
})
