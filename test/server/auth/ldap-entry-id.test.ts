// The name kept for a directory person: the entry's UUID where there is one, written as the directory's
// own tools write it, else the DN.
import t from 'tap'
import type { Entry } from 'ldapts'
import { entryId, guidToString } from '../../../server/auth/ldap/entry-id.ts'

const bytes = Buffer.from([...Array(16).keys()])

t.test("an Active Directory objectGUID is written the way AD's tools show it", async (t) => {
  t.equal(guidToString(bytes), '03020100-0504-0706-0809-0a0b0c0d0e0f', 'first three groups little-endian')
  t.equal(entryId({ dn: 'CN=Bob,OU=Sales,DC=corp', objectGUID: bytes } as Entry), 'uuid:03020100-0504-0706-0809-0a0b0c0d0e0f')
})

t.test('entryUUID is used in lower case; attribute names in any case', async (t) => {
  const uuid = '3F2504E0-4F89-11D3-9A0C-0305E82C3301'
  t.equal(entryId({ dn: 'cn=x', entryUUID: uuid }), `uuid:${uuid.toLowerCase()}`)
  t.equal(entryId({ dn: 'cn=x', entryuuid: [uuid] }), `uuid:${uuid.toLowerCase()}`)
})

t.test('no usable UUID: the DN, as accounts were keyed before', async (t) => {
  t.equal(entryId({ dn: 'cn=x,dc=corp' }), 'cn=x,dc=corp')
  t.equal(entryId({ dn: 'cn=x', entryUUID: 'not a uuid' }), 'cn=x', 'a malformed value is not trusted')
  t.equal(entryId({ dn: 'cn=x', objectGUID: Buffer.from([1, 2, 3]) } as Entry), 'cn=x', 'a GUID of the wrong length is not trusted')
  t.equal(entryId({ dn: 'cn=x', objectGUID: 'mangled text' }), 'cn=x', 'a GUID read as text cannot be trusted')
})
