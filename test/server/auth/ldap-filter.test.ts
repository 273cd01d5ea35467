import t from 'tap'
import { FilterParser } from 'ldapts'
import { escapeFilterValue, fillFilter } from '../../../server/auth/ldap/filter.ts'
import { normalizeDn, roleFor } from '../../../server/auth/ldap/roles.ts'

t.test('the five characters RFC 4515 names are escaped, and control characters with them', async (t) => {
  t.equal(escapeFilterValue('*'), '\\2a')
  t.equal(escapeFilterValue('('), '\\28')
  t.equal(escapeFilterValue(')'), '\\29')
  t.equal(escapeFilterValue('\\'), '\\5c')
  t.equal(escapeFilterValue('\0'), '\\00')
  t.equal(escapeFilterValue('a\nb\x7f'), 'a\\0ab\\7f')
  t.equal(escapeFilterValue('admin)(|(uid=*'), 'admin\\29\\28|\\28uid=\\2a')
  t.equal(escapeFilterValue('alice@corp.example'), 'alice@corp.example', 'ordinary logins are unchanged')
})

t.test('non-ASCII stays UTF-8, so the filter asks for the same characters', async (t) => {
  t.equal(escapeFilterValue('иван'), 'иван')
  t.equal(escapeFilterValue('雪*'), '雪\\2a')
  t.equal(escapeFilterValue('😀'), '😀')
})

t.test('a filled filter parses to exactly the value typed, whatever it holds', async (t) => {
  const attacks = ['*', 'admin)(|(uid=*', '*)(uid=*))(|(uid=*', 'a\\b', 'x\0y', 'иван*', '{dn}', 'a(b)c\\d*']
  for (const login of attacks) {
    const filter = FilterParser.parseString(fillFilter('(uid={login})', { login }))
    t.equal(filter.constructor.name, 'EqualityFilter', `${JSON.stringify(login)} stays one equality test`)
    t.equal((filter as unknown as { value: string }).value, login)
  }
})

t.test('placeholders are filled in one pass', async (t) => {
  t.equal(fillFilter('(&(member={dn})(x={login}))', { login: '{dn}', dn: 'cn=a\\,b' }), '(&(member=cn=a\\5c,b)(x={dn}))')
  t.equal(fillFilter('(uid={login})', {}), '(uid=)')
})

t.test('DNs compare without case or spaces around separators', async (t) => {
  t.equal(normalizeDn(' CN=Veche Admins, OU=Groups,DC=corp, DC=example '), 'cn=veche admins,ou=groups,dc=corp,dc=example')
})

t.test('groups map to a role: owner over admin over member; requiredGroups refuse the rest', async (t) => {
  const rules = { ownerGroups: ['cn=owners,dc=x'], adminGroups: ['cn=admins,dc=x'], requiredGroups: [] }
  t.equal(roleFor(['CN=Admins, DC=x', 'cn=owners,dc=x'], rules), 'owner')
  t.equal(roleFor(['cn=admins,dc=x'], rules), 'admin')
  t.equal(roleFor([], rules), 'member')
  const strict = { ...rules, requiredGroups: ['cn=staff,dc=x'] }
  t.equal(roleFor(['cn=other,dc=x'], strict), null)
  t.equal(roleFor(['cn=staff,dc=x'], strict), 'member')
  t.equal(roleFor(['cn=admins,dc=x'], strict), 'admin', 'a role group lets its members in')
})
