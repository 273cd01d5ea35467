import t from 'tap'
import { join } from 'node:path'
import { loadConfig } from '../../../config/load.ts'
import { mailSetup } from '../../../server/mail/transport.ts'
import { tempDir } from '../../helper.ts'

t.test('mail settings load from the file, the environment and flags, with their defaults', async (t) => {
  const defaults = loadConfig().mail
  t.same(defaults, {
    smtpHost: '',
    smtpPort: 587,
    secure: false,
    startTls: 'required',
    caFile: '',
    user: '',
    password: '',
    from: '',
    perUserDaily: 100,
    workspaceDaily: 1000,
    maxRecipients: 50,
    timeoutSeconds: 30,
  })
  const c = loadConfig({
    env: { VECHE_MAIL_SMTP_HOST: 'smtp.corp.example', VECHE_MAIL_START_TLS: 'opportunistic', VECHE_MAIL_PASSWORD: 'pw' },
    set: ['mail.smtpPort=25', 'mail.from=Veche <veche@corp.example>', 'mail.perUserDaily=10'],
  }).mail
  t.match(c, { smtpHost: 'smtp.corp.example', startTls: 'opportunistic', password: 'pw', smtpPort: 25, from: 'Veche <veche@corp.example>', perUserDaily: 10 })
  t.throws(() => loadConfig({ set: ['mail.startTls=maybe'] }), { message: /^config key 'mail.startTls'.*\(from --set\)$/ })
  t.throws(() => loadConfig({ set: ['mail.maxRecipients=0'] }), { message: /^config key 'mail.maxRecipients'/ })
  t.throws(() => loadConfig({ set: ['mail.smtpHots=x'] }), { message: "unknown config key 'mail.smtpHots' (from --set)" })
})

t.test('mailSetup says why invitations are off, naming the keys', async (t) => {
  const mail = loadConfig().mail
  t.match(mailSetup(mail), { ok: false, message: /not set up on this server: set mail\.smtpHost and mail\.from/ })
  t.match(mailSetup({ ...mail, smtpHost: 'smtp.corp.example' }), { ok: false, message: /mail\.from must be a sender address/ })
  t.match(mailSetup({ ...mail, smtpHost: 'smtp.corp.example', from: 'Veche' }), { ok: false, message: /mail\.from \("Veche"\) is not a sender address/ })
  const missing = join(tempDir(t), 'nope.pem')
  t.match(mailSetup({ ...mail, smtpHost: 'smtp.corp.example', from: 'veche@corp.example', caFile: missing }), {
    ok: false,
    message: new RegExp(`cannot read mail\\.caFile ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
  })
  const ready = mailSetup({ ...mail, smtpHost: 'smtp.corp.example', from: 'Veche <veche@corp.example>' })
  t.match(ready, { ok: true, from: { name: 'Veche', address: 'veche@corp.example' } })
})
