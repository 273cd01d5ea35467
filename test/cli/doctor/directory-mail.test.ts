// The checks that talk to the company's servers before employees do: the LDAP directory, the OpenID
// Connect provider and the SMTP server, each against a real one on loopback (slapd, oidc-provider,
// smtp-server). Every failure names the setting to fix.
import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { ldapCheck } from '../../../cli/doctor/checks/ldap.ts'
import { mailCheck } from '../../../cli/doctor/checks/mail.ts'
import { oidcCheck } from '../../../cli/doctor/checks/oidc.ts'
import type { Check, CheckResult } from '../../../cli/doctor/check.ts'
import { ensureLocalTls } from '../../../server/tls/local-ca.ts'
import { freePort } from '../../kits.ts'
import { PEOPLE, SERVICE_DN, SERVICE_PASSWORD, startLdapServer } from '../../ldap-server.ts'
import { startOidcProvider } from '../../oidc-provider.ts'
import { closedPort, mailSettings, startSmtpServer } from '../../smtp-server.ts'
import { contextWith, doctor, isolated, tempDir } from './fixtures/doctor.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

const VECHE = { clientId: 'veche', clientSecret: 'veche client secret', redirectUris: ['https://127.0.0.1:8443/api/auth/oidc/callback'] }

/** runIn runs one check in this process on the test configuration `set` (the servers run here too). */
const runIn = (t: TestContext, check: Check, set: string[]): Promise<CheckResult> => check.run(contextWith(tempDir(t), set), false)

/** silentPort returns a loopback port that accepts connections and never says a word. */
async function silentPort(t: TestContext): Promise<number> {
  const sockets: Socket[] = []
  const silent = createServer((s) => {
    sockets.push(s)
    s.resume()
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  return (silent.address() as { port: number }).port
}

const ldap = await startLdapServer(t)
const ldapSettings = (extra: string[] = []): string[] => [
  `ldap.url=${ldap.url}`,
  'ldap.startTls=true',
  `ldap.caFile=${ldap.caFile}`,
  `ldap.bindDn=${SERVICE_DN}`,
  `ldap.bindPassword=${SERVICE_PASSWORD}`,
  `ldap.searchBase=${PEOPLE}`,
  'ldap.timeoutSeconds=5',
  ...extra,
]

const provider = await startOidcProvider(t, { clients: [VECHE], accounts: [] })
const oidcSettings = (issuer: string, extra: string[] = []): string[] => [
  `oidc.issuer=${issuer}`,
  `oidc.clientId=${VECHE.clientId}`,
  `oidc.clientSecret=${VECHE.clientSecret}`,
  `oidc.caFile=${provider.caFile}`,
  ...extra,
]

// A CA and a certificate for 127.0.0.1, made by the appliance's own CA code, for STARTTLS.
const tlsDir = join(tempDir(t), 'tls')
const tls = ensureLocalTls(tlsDir, ['127.0.0.1'])
const smtp = await startSmtpServer(t, { tls: { key: tls.key, cert: tls.cert }, auth: { user: 'veche', pass: 's3cret' } })
const smtpSettings = (port: number, extra: string[] = []): string[] =>
  mailSettings(port, ['mail.startTls=required', `mail.caFile=${join(tlsDir, 'ca.crt')}`, 'mail.user=veche', 'mail.password=s3cret', ...extra])

t.test('not configured: each check passes and says the feature is off (doctor exits 0)', async (t) => {
  const r = await doctor(['--run', 'ldap,oidc,mail', '--json', ...isolated(tempDir(t))])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.same(JSON.parse(r.stdout), {
    ok: true,
    checks: [
      { name: 'ldap', title: 'LDAP directory', status: 'ok', message: 'not configured (ldap.url is empty): LDAP sign-in is off' },
      { name: 'oidc', title: 'OpenID Connect', status: 'ok', message: 'not configured (oidc.issuer is empty): SSO sign-in is off' },
      { name: 'mail', title: 'Mail (SMTP)', status: 'ok', message: 'not configured (mail.smtpHost is empty): e-mail invitations are off' },
    ],
  })
})

t.test('configured and reachable: `veche doctor` passes all three, and exits (no connection left open)', async (t) => {
  const set = [...ldapSettings(), ...oidcSettings(provider.issuer), ...smtpSettings(smtp.port)]
  const r = await doctor(['--run', 'ldap,oidc,mail', ...isolated(tempDir(t), set)])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.stdout, new RegExp(`^ok   LDAP directory  ${ldap.url} \\(StartTLS, bound as ${SERVICE_DN}\\): ldap.searchBase ${PEOPLE} exists$`, 'm'))
  t.match(r.stdout, new RegExp(`^ok   OpenID Connect  ${provider.issuer}: discovery names this issuer; 1 signing key at https://`, 'm'))
  t.match(r.stdout, `ok   Mail (SMTP)     127.0.0.1:${smtp.port} (STARTTLS required, signed in as veche) accepts connections; invitations come from Veche <veche@corp.example>`)
  t.match(r.stdout, /\n\nall checks passed\n$/)
})

t.test('ldap: ldaps:// with the CA, and an anonymous search, pass too', async (t) => {
  const r = await runIn(t, ldapCheck, [`ldap.url=${ldap.ldapsUrl}`, `ldap.caFile=${ldap.caFile}`, `ldap.searchBase=${PEOPLE}`])
  t.same(r, { status: 'ok', message: `${ldap.ldapsUrl} (TLS, anonymous search): ldap.searchBase ${PEOPLE} exists` })
})

t.test('ldap: a wrong service account password names ldap.bindPassword', async (t) => {
  const r = await runIn(t, ldapCheck, ldapSettings(['ldap.bindPassword=wrong']))
  t.equal(r.status, 'error')
  t.match(r.message, `refused the bind as ldap.bindDn '${SERVICE_DN}' (check ldap.bindDn and ldap.bindPassword): invalid credentials`)
})

t.test('ldap: a searchBase that does not exist names ldap.searchBase', async (t) => {
  const r = await runIn(t, ldapCheck, ldapSettings(['ldap.searchBase=ou=staff,dc=corp,dc=example']))
  t.equal(r.status, 'error')
  t.match(r.message, "refused reading the ldap.searchBase entry 'ou=staff,dc=corp,dc=example' (it must exist and be readable): no such object")
})

t.test('ldap: settings the server would refuse at start fail with the same message', async (t) => {
  const r = await runIn(t, ldapCheck, ldapSettings(['ldap.bindPassword=']))
  t.same(r, {
    status: 'error',
    message: "config key 'ldap.bindPassword': is empty but ldap.bindDn is set: a bind with an empty password is anonymous; set the service account password",
  })
})

t.test('ldap: a directory that is down names ldap.url; an untrusted certificate names ldap.caFile', async (t) => {
  const down = await runIn(t, ldapCheck, ldapSettings([`ldap.url=ldap://127.0.0.1:${await freePort()}`]))
  t.equal(down.status, 'error')
  t.match(down.message, /^cannot reach the directory at ldap:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*; check ldap\.url and the network$/)

  const untrusted = await runIn(t, ldapCheck, ldapSettings([`ldap.caFile=${ldap.otherCaFile}`]))
  t.equal(untrusted.status, 'error')
  t.match(untrusted.message, /is not trusted .*: set ldap\.caFile to the PEM of the CA that signed it$/)
})

t.test('ldap: a directory that never answers fails after ldap.timeoutSeconds', async (t) => {
  const port = await silentPort(t)
  const r = await runIn(t, ldapCheck, ldapSettings([`ldap.url=ldap://127.0.0.1:${port}`, 'ldap.timeoutSeconds=1']))
  t.equal(r.status, 'error')
  t.match(r.message, /ldap\.timeoutSeconds/)
})

t.test('oidc: a provider that is down names oidc.issuer', async (t) => {
  const gone = await startOidcProvider(t, { clients: [VECHE], accounts: [] })
  await gone.close()
  const r = await runIn(t, oidcCheck, oidcSettings(gone.issuer))
  t.equal(r.status, 'error')
  t.match(r.message, new RegExp(`^cannot reach ${gone.issuer}/\\.well-known/openid-configuration: .*ECONNREFUSED.*: check oidc\\.issuer and that the provider runs$`))
})

t.test('oidc: an issuer that differs from what discovery names says which value to set', async (t) => {
  const r = await runIn(t, oidcCheck, oidcSettings(`${provider.issuer}/`))
  t.equal(r.status, 'error')
  t.match(r.message, `it names the issuer "${provider.issuer}": set oidc.issuer to exactly that value`)
})

t.test('oidc: a provider certificate the system CAs do not trust names oidc.caFile', async (t) => {
  const r = await runIn(t, oidcCheck, oidcSettings(provider.issuer, ['oidc.caFile=']))
  t.equal(r.status, 'error')
  t.match(r.message, /certificate.*: set oidc\.caFile to the PEM of the CA that signed the provider's certificate$/)
})

t.test('oidc: incomplete settings fail as the server would refuse them at start', async (t) => {
  const r = await runIn(t, oidcCheck, oidcSettings(provider.issuer, ['oidc.clientSecret=']))
  t.same(r, { status: 'error', message: 'oidc.clientSecret is empty: set the secret of oidc.clientId' })
})

t.test('mail: an SMTP server that is down names mail.smtpHost and mail.smtpPort', async (t) => {
  const port = await closedPort(t)
  const r = await runIn(t, mailCheck, smtpSettings(port))
  t.equal(r.status, 'error')
  t.match(r.message, new RegExp(`^cannot talk to the SMTP server 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check mail\\.smtpHost and mail\\.smtpPort, and that the server runs$`))
})

t.test('mail: a wrong SMTP password names mail.user and mail.password', async (t) => {
  const r = await runIn(t, mailCheck, smtpSettings(smtp.port, ['mail.password=nope']))
  t.equal(r.status, 'error')
  t.match(r.message, `the SMTP server 127.0.0.1:${smtp.port} refused the sign-in`)
  t.match(r.message, /: check mail\.user and mail\.password$/)
})

t.test('mail: STARTTLS against an untrusted certificate names mail.caFile', async (t) => {
  const r = await runIn(t, mailCheck, smtpSettings(smtp.port, ['mail.caFile=']))
  t.equal(r.status, 'error')
  t.match(r.message, /^TLS with the SMTP server .*: check mail\.caFile, mail\.secure and mail\.startTls$/)
})

t.test('mail: incomplete settings fail with the invitation service message', async (t) => {
  const r = await runIn(t, mailCheck, smtpSettings(smtp.port, ['mail.from=']))
  t.equal(r.status, 'error')
  t.match(r.message, /mail\.from must be a sender address/)
})

t.test('mail: an SMTP server that never answers fails after mail.timeoutSeconds', async (t) => {
  const port = await silentPort(t)
  const r = await runIn(t, mailCheck, smtpSettings(port, ['mail.timeoutSeconds=1']))
  t.equal(r.status, 'error')
  t.match(r.message, `the SMTP server 127.0.0.1:${port} did not answer within 1 s: check mail.smtpHost, mail.smtpPort and the firewall`)
})
