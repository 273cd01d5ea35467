import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helper.ts'
import { VECHE } from '../server-process.ts'

const veche = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(VECHE, args, { encoding: 'utf8', input, env: { ...process.env, VECHE_CONFIG: undefined, ...env } })

t.test('config check prints the effective configuration', async (t) => {
  const r = veche(['config', 'check', '--set', 'server.port=9443'])
  t.equal(r.status, 0, r.stderr)
  t.match(r.stdout, /^config OK \(built-in defaults\)/)
  t.match(r.stdout, /port: 9443/)
})

t.test('config check hides passwords, client secrets, stream keys and passwords inside URLs', async (t) => {
  const secrets = {
    VECHE_MAIL_PASSWORD: 'smtp-pass-123',
    VECHE_LDAP_BIND_PASSWORD: 'ldap-pass-456',
    VECHE_OIDC_CLIENT_SECRET: 'oidc-secret-789',
    VECHE_STREAMING_KEY: 'stream-key-abc',
    VECHE_STREAMING_URL: 'rtmp://publisher:rtmp-pass-def@live.corp.example/app',
  }
  const r = veche(['config', 'check'], undefined, secrets)
  t.equal(r.status, 0, r.stderr)
  for (const value of ['smtp-pass-123', 'ldap-pass-456', 'oidc-secret-789', 'stream-key-abc', 'rtmp-pass-def']) {
    t.notOk(r.stdout.includes(value), `${value} is not printed`)
  }
  t.match(r.stdout, /password: \(set, hidden\)/)
  t.match(r.stdout, /url: rtmp:\/\/publisher:\*\*\*@live\.corp\.example\/app/)
  t.match(r.stdout, /user: ""|user: ''/, 'an empty value still reads as not set')
  const shown = veche(['config', 'check', '--show-secrets'], undefined, secrets)
  t.match(shown.stdout, /smtp-pass-123/, '--show-secrets prints them')
})

t.test('config check names the bad key, its source, and exits 1', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'veche.yaml')
  writeFileSync(file, 'media:\n  annoucedAddress: 10.0.0.1\n')
  const r = veche(['config', 'check', '--config', file])
  t.equal(r.status, 1)
  t.equal(r.stderr, `veche: unknown config key 'media.annoucedAddress' (in ${file})\n`)
  const env = veche(['config', 'check'], undefined, { VECHE_SERVER_PORT: 'https' })
  t.equal(env.status, 1)
  t.match(env.stderr, /^veche: config key 'server.port': .*\(from environment VECHE_SERVER_PORT\)\n$/)
})

t.test('admin create-owner makes the first owner once', async (t) => {
  const dir = tempDir(t)
  const args = ['admin', 'create-owner', '--email', 'root@corp.example', '--name', 'Админ', '--password-stdin', '--set', `data.dir=${dir}`]
  const weak = veche(args, 'short\n')
  t.equal(weak.status, 1)
  t.match(weak.stderr, /at least 8 characters/)
  const ok = veche(args, 'long enough password\n')
  t.equal(ok.status, 0, ok.stderr)
  t.match(ok.stdout, /owner root@corp\.example created/)
  const again = veche(args, 'long enough password\n')
  t.equal(again.status, 1)
  t.match(again.stderr, /already has an owner/)
})
