// `veche admin reset-password` and `veche admin unlock` on a real data folder: the ways back in.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { verifyPassword } from '../../server/auth/passwords.ts'
import { createAuditRepository } from '../../server/db/audit-repository.ts'
import { openDatabase } from '../../server/db/database.ts'
import { createDb } from '../../server/db/engine.ts'
import { createSessionsRepository } from '../../server/db/sessions-repository.ts'
import { createUsersRepository } from '../../server/db/users-repository.ts'
import { tempDir } from '../helper.ts'
import { VECHE } from '../server-process.ts'

const veche = (args: string[], input?: string) =>
  spawnSync(VECHE, args, { encoding: 'utf8', input, env: { ...process.env, VECHE_CONFIG: undefined } })

/** withDb opens the test's database, runs `work` and closes it again (the CLI opens it itself). */
async function withDb<T>(
  dir: string,
  work: (repos: { users: ReturnType<typeof createUsersRepository>; sessions: ReturnType<typeof createSessionsRepository>; audit: ReturnType<typeof createAuditRepository> }) => T | Promise<T>,
): Promise<T> {
  const db = openDatabase(join(dir, 'veche.db'))
  try {
    const layer = createDb({ url: '', password: '', passwordFile: '' }, db)
    return await work({ users: createUsersRepository(layer), sessions: createSessionsRepository(layer), audit: createAuditRepository(layer) })
  } finally {
    db.close()
  }
}

/** workspace: a data folder with Boris (local, locked out, signed in twice) and Vera (from LDAP). */
async function workspace(t: Test) {
  const dir = tempDir(t)
  const tokens = await withDb(dir, async ({ users, sessions }) => {
    const boris = await users.create({ email: 'boris@corp.example', displayName: 'Борис', role: 'member', passwordHash: 'x' })
    await users.recordFailedSignIn(boris.id, Date.now() + 15 * 60_000)
    await users.createExternal({ source: 'ldap', externalId: 'uid=vera,dc=corp', email: 'vera@corp.example', displayName: 'Вера', role: 'member' })
    return [(await sessions.create(boris.id, 60_000)).token, (await sessions.create(boris.id, 60_000)).token]
  })
  return { dir, tokens, set: ['--set', `data.dir=${dir}`] }
}

t.test('reset-password sets the password, unlocks, signs out everywhere and is audited', async (t) => {
  const w = await workspace(t)
  const weak = veche(['admin', 'reset-password', '--email', 'boris@corp.example', '--password-stdin', ...w.set], 'short\n')
  t.equal(weak.status, 1)
  t.match(weak.stderr, /at least 8 characters/)
  t.ok(await withDb(w.dir, ({ sessions }) => sessions.userIdFor(w.tokens[0]!)), 'a refusal changes nothing')

  const ok = veche(['admin', 'reset-password', '--email', 'BORIS@corp.example', '--password-stdin', ...w.set], 'a brand new password\n')
  t.equal(ok.status, 0, ok.stderr)
  t.equal(ok.stdout, 'password of boris@corp.example reset; 2 session(s) signed out\n')
  const hash = await withDb(w.dir, async ({ users, sessions, audit }) => {
    const record = (await users.findForSignIn('boris@corp.example'))!
    t.equal(record.failedSignIns, 0)
    t.equal(record.lockedUntil, null)
    t.equal(await sessions.userIdFor(w.tokens[0]!), undefined)
    t.equal(await sessions.userIdFor(w.tokens[1]!), undefined)
    t.match((await audit.list()).entries, [{ action: 'user.password_reset', actorId: null, actorName: 'cli', targetId: record.user.id, targetName: 'Борис' }])
    return record.passwordHash
  })
  t.ok(await verifyPassword('a brand new password', hash), 'the new password works')
})

t.test('reset-password refuses unknown and directory users, naming what to do', async (t) => {
  const w = await workspace(t)
  const unknown = veche(['admin', 'reset-password', '--email', 'nobody@corp.example', '--password-stdin', ...w.set], 'a brand new password\n')
  t.equal(unknown.status, 1)
  t.equal(unknown.stderr, 'veche: no user with e-mail nobody@corp.example: check the address (the Users page lists every account)\n')
  const ldap = veche(['admin', 'reset-password', '--email', 'vera@corp.example', '--password-stdin', ...w.set], 'a brand new password\n')
  t.equal(ldap.status, 1)
  t.equal(ldap.stderr, 'veche: vera@corp.example signs in through the directory (LDAP): reset the password there\n')
  t.equal((await withDb(w.dir, async ({ users, audit }) => [(await users.findForSignIn('vera@corp.example'))!.passwordHash, (await audit.list()).entries.length])).join(), ',0')
  const missing = veche(['admin', 'reset-password', ...w.set])
  t.equal(missing.status, 1)
  t.match(missing.stderr, /required option '--email <email>'/)
})

t.test('unlock clears failed sign-ins and the lock, once, and is audited', async (t) => {
  const w = await workspace(t)
  const ok = veche(['admin', 'unlock', '--email', 'boris@corp.example', ...w.set])
  t.equal(ok.status, 0, ok.stderr)
  t.equal(ok.stdout, 'boris@corp.example unlocked\n')
  await withDb(w.dir, async ({ users, sessions, audit }) => {
    const record = (await users.findForSignIn('boris@corp.example'))!
    t.equal(record.failedSignIns, 0)
    t.equal(record.lockedUntil, null)
    t.ok(await sessions.userIdFor(w.tokens[0]!), 'sessions stay: unlocking is not a sign-out')
    t.match((await audit.list()).entries, [{ action: 'user.unlocked', actorName: 'cli', targetName: 'Борис', detail: { failedSignIns: 1 } }])
  })
  const again = veche(['admin', 'unlock', '--email', 'boris@corp.example', ...w.set])
  t.equal(again.status, 0)
  t.equal(again.stdout, 'boris@corp.example is not locked; nothing to do\n')
  t.equal(await withDb(w.dir, async ({ audit }) => (await audit.list()).entries.length), 1, 'nothing more recorded')
  const unknown = veche(['admin', 'unlock', '--email', 'nobody@corp.example', ...w.set])
  t.equal(unknown.status, 1)
  t.match(unknown.stderr, /no user with e-mail nobody@corp\.example/)
})

t.test('block signs the account out everywhere and unblock lets it back, both audited; the last owner stays', async (t) => {
  const w = await workspace(t)
  const blocked = veche(['admin', 'block', '--email', 'Boris@corp.example', ...w.set])
  t.equal(blocked.status, 0, blocked.stderr)
  t.equal(blocked.stdout, 'boris@corp.example blocked; 2 session(s) signed out\n')
  const unblocked = veche(['admin', 'unblock', '--email', 'boris@corp.example', ...w.set])
  t.equal(unblocked.stdout, 'boris@corp.example unblocked; it may sign in again\n')
  await withDb(w.dir, async ({ users, sessions, audit }) => {
    t.equal((await users.findForSignIn('boris@corp.example'))!.user.blockedAt, null)
    t.equal(await sessions.userIdFor(w.tokens[0]!), undefined, 'unblocking does not bring sessions back')
    t.match((await audit.list()).entries, [{ action: 'user.unblocked', actorName: 'cli' }, { action: 'user.blocked', actorName: 'cli', targetName: 'Борис' }])
    await users.create({ email: 'olga@corp.example', displayName: 'Ольга', role: 'owner', passwordHash: 'x' })
  })
  const owner = veche(['admin', 'block', '--email', 'olga@corp.example', ...w.set])
  t.equal(owner.status, 1)
  t.equal(owner.stderr, "veche: Ольга is the workspace's only owner: make another user owner first\n")
})
