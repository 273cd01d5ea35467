// A real OpenLDAP server (Debian's slapd) for tests: a temporary slapd.conf and mdb database, plain
// LDAP (with StartTLS) and LDAPS on free loopback ports, a certificate from a test CA made the way
// Veche makes its own, and a small company directory: people, groups (memberOf kept by the overlay),
// a service account. Stopped and deleted when the test ends.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ensureLocalTls } from '../server/tls/local-ca.ts'
import { freePort } from './kits.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

export const BASE = 'dc=corp,dc=example'
export const PEOPLE = `ou=people,${BASE}`
export const GROUPS = `ou=groups,${BASE}`
export const ROOT_DN = `cn=admin,${BASE}`
const ROOT_PASSWORD = 'root secret'
export const SERVICE_DN = `cn=veche,ou=services,${BASE}`
export const SERVICE_PASSWORD = 'service secret'

export const OWNERS_GROUP = `cn=veche-owners,${GROUPS}`
export const ADMINS_GROUP = `cn=veche-admins,${GROUPS}`
export const USERS_GROUP = `cn=veche-users,${GROUPS}`

export interface DirectoryPerson {
  /** RDN value: the entry is cn=<cn>,ou=people,... */
  cn: string
  uid: string
  password: string
  mail?: string
  displayName?: string
  groups?: string[]
  /** Active Directory's binary objectGUID and account flags, through a small AD-like schema. */
  objectGuid?: Buffer
  accountControl?: number
}

/** The test company. Logins with filter syntax in them exist so escaping is seen to match exactly. */
export const PEOPLE_FIXTURE: DirectoryPerson[] = [
  { cn: 'Alice', uid: 'alice', password: 'alice password', mail: 'alice@corp.example', displayName: 'Алиса Иванова', groups: [ADMINS_GROUP, USERS_GROUP] },
  { cn: 'Bob Builder', uid: 'bob', password: 'bob password', mail: 'bob@corp.example', groups: [USERS_GROUP] },
  { cn: 'Carol', uid: 'carol', password: 'carol password', mail: 'carol@corp.example' },
  { cn: 'Dave', uid: 'dave', password: 'dave password', mail: 'dave@corp.example', displayName: 'Dave Owner', groups: [OWNERS_GROUP] },
  { cn: 'Ivan', uid: 'иван', password: 'пароль ивана', mail: 'ivan@corp.example', displayName: 'Иван Петров', groups: [USERS_GROUP] },
  { cn: 'Tricky', uid: 'a(b)c\\d*', password: 'tricky password', mail: 'tricky@corp.example', groups: [USERS_GROUP] },
  { cn: 'No Mail', uid: 'nomail', password: 'nomail password', groups: [USERS_GROUP] },
  { cn: 'Twin One', uid: 'twin1', password: 'twin password', mail: 'twin@corp.example' },
  { cn: 'Twin Two', uid: 'twin2', password: 'twin password', mail: 'twin@corp.example' },
  // An Active Directory account: objectGUID and userAccountControl (512: a normal, enabled account).
  { cn: 'Anna', uid: 'anna', password: 'anna password', mail: 'anna@corp.example', objectGuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex'), accountControl: 512 },
  // Has the e-mail of the local owner test/helper.ts creates.
  { cn: 'Olga', uid: 'olga', password: 'olga password', mail: 'owner@corp.example', groups: [USERS_GROUP] },
]

export const personDn = (p: Pick<DirectoryPerson, 'cn'>): string => `cn=${p.cn},${PEOPLE}`
export const person = (uid: string): DirectoryPerson => PEOPLE_FIXTURE.find((p) => p.uid === uid)!

export interface LdapServer {
  /** ldap://127.0.0.1:port (StartTLS offered). */
  url: string
  /** ldaps://127.0.0.1:port */
  ldapsUrl: string
  /** The CA that signed the server's certificate. */
  caFile: string
  /** A CA that did not. */
  otherCaFile: string
  /** ldapmodify as the directory's root. */
  modify(ldif: string): void
  /** The entry's entryUUID, which slapd gives every entry and keeps when the entry is moved or renamed. */
  entryUuid(dn: string): string
  /** Stops slapd (the directory is down) until start(); the data stays. */
  stop(): Promise<void>
  /** Starts slapd again on the same ports; nothing when it runs. */
  start(): Promise<void>
}

/** The two Active Directory attributes Veche reads, so AD's binary GUIDs and disabled flag are tested for real. */
const AD_LIKE_SCHEMA = [
  "attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )",
  "attributetype ( 1.3.6.1.4.1.55555.1.2 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
  "objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'adLikeUser' AUXILIARY MAY ( objectGUID $ userAccountControl ) )",
  '',
].join('\n')

const hash = (password: string): string => execFileSync('/usr/sbin/slappasswd', ['-s', password], { encoding: 'utf8' }).trim()

function directoryLdif(people: DirectoryPerson[]): string {
  const entries: string[] = [
    `dn: ${BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Corp\ndc: corp`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ou=services,${BASE}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: veche\nuserPassword: ${hash(SERVICE_PASSWORD)}`,
  ]
  for (const p of people) {
    const lines = [`dn: ${personDn(p)}`, 'objectClass: inetOrgPerson', `cn: ${p.cn}`, `sn: ${p.cn}`, `uid: ${p.uid}`, `userPassword: ${hash(p.password)}`]
    if (p.mail) lines.push(`mail: ${p.mail}`)
    if (p.displayName) lines.push(`displayName: ${p.displayName}`)
    if (p.objectGuid) lines.push('objectClass: adLikeUser', `objectGUID:: ${p.objectGuid.toString('base64')}`, `userAccountControl: ${p.accountControl ?? 512}`)
    entries.push(lines.join('\n'))
  }
  // Added after the people, so the memberof overlay writes their memberOf.
  for (const group of [OWNERS_GROUP, ADMINS_GROUP, USERS_GROUP]) {
    const members = people.filter((p) => p.groups?.includes(group)).map((p) => `member: ${personDn(p)}`)
    // groupOfNames needs a member: the root is one of every group, so tests may remove all people.
    entries.push([`dn: ${group}`, 'objectClass: groupOfNames', `cn: ${group.slice(3, group.indexOf(','))}`, `member: ${ROOT_DN}`, ...members].join('\n'))
  }
  return entries.join('\n\n') + '\n'
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** startLdapServer runs slapd with the test company loaded; stopped at the end of the test. */
export async function startLdapServer(t: TestContext): Promise<LdapServer> {
  const dir = mkdtempSync(join(tmpdir(), 'veche-ldap-'))
  const tls = ensureLocalTls(join(dir, 'tls'), ['127.0.0.1', 'localhost'])
  const other = ensureLocalTls(join(dir, 'other-ca'), ['127.0.0.1'])
  writeFileSync(join(dir, 'ca.crt'), tls.caCert!)
  writeFileSync(join(dir, 'other-ca.crt'), other.caCert!)
  mkdirSync(join(dir, 'db'))
  writeFileSync(join(dir, 'ad-like.schema'), AD_LIKE_SCHEMA)
  const conf = join(dir, 'slapd.conf')
  writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      `include ${join(dir, 'ad-like.schema')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload memberof',
      `pidfile ${join(dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${join(dir, 'ca.crt')}`,
      `TLSCertificateFile ${join(dir, 'tls/server.crt')}`,
      `TLSCertificateKeyFile ${join(dir, 'tls/server.key')}`,
      'database mdb',
      'maxsize 10485760',
      `suffix "${BASE}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${hash(ROOT_PASSWORD)}`,
      `directory ${join(dir, 'db')}`,
      'overlay memberof',
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  )
  const [port, tlsPort] = [await freePort(), await freePort()]
  const url = `ldap://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let output = ''

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null) return
    // -d 0: stay in the foreground (a child we can stop), logging nothing but fatal errors.
    child = spawn('/usr/sbin/slapd', ['-f', conf, '-h', `${url}/ ldaps://127.0.0.1:${tlsPort}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const started = child
    for (let i = 0; i < 200; i++) {
      if (started.exitCode !== null) throw new Error(`slapd exited with ${started.exitCode}: ${output}`)
      if ((await reachable(port)) && (await reachable(tlsPort))) return
      await sleep(50)
    }
    throw new Error(`slapd did not start listening on ${port} and ${tlsPort}: ${output}`)
  }
  const stop = async (): Promise<void> => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
  }
  t.teardown(async () => {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  execFileSync('/usr/bin/ldapadd', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: directoryLdif(PEOPLE_FIXTURE), stdio: ['pipe', 'ignore', 'pipe'] })

  return {
    url,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: join(dir, 'ca.crt'),
    otherCaFile: join(dir, 'other-ca.crt'),
    modify: (ldif) => execFileSync('/usr/bin/ldapmodify', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: ldif, stdio: ['pipe', 'ignore', 'pipe'] }),
    entryUuid: (dn) => {
      const out = execFileSync('/usr/bin/ldapsearch', ['-x', '-LLL', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-b', dn, '-s', 'base', 'entryUUID'], { encoding: 'utf8' })
      const uuid = /^entryUUID: (\S+)$/m.exec(out)?.[1]
      if (!uuid) throw new Error(`no entryUUID for ${dn}: ${out}`)
      return uuid
    },
    stop,
    start,
  }
}
