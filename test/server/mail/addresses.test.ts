import t from 'tap'
import { checkRecipients, normalizeAddress, parseMailbox } from '../../../server/mail/addresses.ts'

t.test('plain addresses pass; international domains become punycode', async (t) => {
  t.equal(normalizeAddress(' anna@partner.example '), 'anna@partner.example')
  t.equal(normalizeAddress('Boris.Petrov+meet@Corp.Example'), 'Boris.Petrov+meet@corp.example')
  t.equal(normalizeAddress('ivan@intranet'), 'ivan@intranet', 'an intranet host without a dot')
  t.equal(normalizeAddress('olga@пример.рф'), 'olga@xn--e1afmkfd.xn--p1ai')
})

t.test('anything a header or the envelope could read as more is refused', async (t) => {
  for (const bad of [
    'anna@partner.example\r\nBcc: evil@attacker.example',
    'anna@partner.example\nBcc: evil@attacker.example',
    'anna@partner.example, evil@attacker.example',
    'anna@partner.example;evil@attacker.example',
    'Anna <anna@partner.example>',
    '"anna"@partner.example',
    'anna partner@example',
    'anna@partner..example',
    'anna@-partner.example',
    '.anna@partner.example',
    'anna.@partner.example',
    'anna',
    '@partner.example',
    'anna@',
    'анна@partner.example',
    `${'a'.repeat(65)}@partner.example`,
    `a@${'b'.repeat(250)}.example`,
  ]) {
    t.equal(normalizeAddress(bad), null, JSON.stringify(bad))
  }
})

t.test('a list is deduplicated case-insensitively, blank entries skipped', async (t) => {
  t.same(checkRecipients(['anna@partner.example', 'ANNA@Partner.Example', ' ', 'boris@partner.example'], 2), {
    ok: true,
    recipients: ['anna@partner.example', 'boris@partner.example'],
  })
})

t.test('a list with a bad address is refused whole, naming each bad one', async (t) => {
  const r = checkRecipients(['anna@partner.example', 'not an address', 'x@y\r\nBcc: z@w'], 50)
  t.equal(r.ok, false)
  if (r.ok) return
  t.equal(r.code, 'invalid_recipients')
  t.same(r.invalid, ['not an address', 'x@y\r\nBcc: z@w'])
  t.match(r.message, /"not an address", "x@y\\r\\nBcc: z@w"/)
  t.notMatch(r.message, /\r|\n/, 'the message itself stays on one line')
})

t.test('too many or none are refused with the limit and its setting named', async (t) => {
  const many = Array.from({ length: 1000 }, (_, i) => `guest${i}@partner.example`)
  const r = checkRecipients(many, 50)
  t.match(r, { ok: false, code: 'too_many_recipients', message: /at most 50 recipients and this one has 1000.*mail\.maxRecipients/ })
  t.match(checkRecipients(['', '  '], 50), { ok: false, code: 'no_recipients' })
})

t.test('the sender setting reads "Name <address>" or a bare address', async (t) => {
  t.same(parseMailbox('Veche <veche@corp.example>'), { name: 'Veche', address: 'veche@corp.example' })
  t.same(parseMailbox('"Veche, meetings" <veche@corp.example>'), { name: 'Veche, meetings', address: 'veche@corp.example' })
  t.same(parseMailbox('veche@corp.example'), { name: '', address: 'veche@corp.example' })
  t.equal(parseMailbox('Veche'), null)
  t.equal(parseMailbox(''), null)
})
