// The sysadmin's license commands, run as the real `veche` CLI against the real activation service.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startActivationService } from '../activation-service.ts'
import { tempDir } from '../helper.ts'
import { certify, issueTestLicense } from '../license-helper.ts'
import { VECHE } from '../server-process.ts'

const run = promisify(execFile)

/** veche runs the CLI without blocking this process (the activation service answers from here). */
async function veche(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(VECHE, args, { env: { ...process.env, VECHE_CONFIG: undefined } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('activate online, show, and the license survives without the vendor', async (t) => {
  const vendor = await startActivationService(t)
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`, '--set', `license.activationUrl=${vendor.url}`]

  const before = await veche(['license', 'show', ...at])
  t.equal(before.code, 3, 'not licensed: exit 3')
  t.match(before.stdout, /status:\s+unlicensed/)

  const { token, claims } = await issueTestLicense({ plan: 'Enterprise', limits: { rooms: 5, participantsPerRoom: 50, internalUsers: 200 } })
  const keyFile = join(data, 'key.txt')
  writeFileSync(keyFile, `Your Veche license key:\n\n${token.match(/.{1,64}/g)!.join('\n')}\n`.split('\n').slice(2).join('\n'))
  const activated = await veche(['activate', keyFile, ...at])
  t.equal(activated.code, 0, activated.stderr)
  t.match(activated.stdout, /^activated\.\n/)
  t.match(activated.stdout, /plan:\s+Enterprise/)
  t.match(activated.stdout, /rooms:\s+5 simultaneous/)
  t.match(activated.stdout, /this machine:\s+matches the activation/)

  await vendor.stop()
  const shown = await veche(['license', 'show', '--json', ...at])
  t.equal(shown.code, 0)
  const state = JSON.parse(shown.stdout)
  t.equal(state.status, 'active')
  t.equal(state.claims.sub, claims.sub)

  const again = await veche(['activate', token, ...at])
  t.equal(again.code, 1, 'activation needs the vendor; the installed license stays')
  t.match(again.stderr, /^veche: cannot reach the activation service at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): this server must reach the vendor only while activating/)
  t.equal(JSON.parse((await veche(['license', 'show', '--json', ...at])).stdout).status, 'active')
})

t.test('bad keys get one clear line and exit 1', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`, '--set', 'license.activationUrl=http://127.0.0.1:3']
  const { token } = await issueTestLicense()
  const [h, p, sig] = token.split('.') as [string, string, string]
  const i = Math.floor(p.length / 2)
  const tampered = `${h}.${p.slice(0, i)}${p[i] === 'a' ? 'b' : 'a'}${p.slice(i + 1)}.${sig}`
  const r = await veche(['activate', tampered, ...at])
  t.equal(r.code, 1)
  t.match(r.stderr, /^veche: the signature of a license key does not match its contents/)
  const missing = await veche(['activate', '/nonexistent/key.txt', ...at])
  t.equal(missing.stderr, 'veche: /nonexistent/key.txt is neither a key nor a file that exists\n')
})

t.test('offline activation: request file -> vendor certificate -> activated', async (t) => {
  const data = tempDir(t)
  const at = ['--set', `data.dir=${data}`]
  const { token, claims } = await issueTestLicense()
  const requestFile = join(data, 'request.json')
  const made = await veche(['activate', token, '--offline', '--out', requestFile, ...at])
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, /veche activate --certificate/)
  const request = JSON.parse(readFileSync(requestFile, 'utf8'))
  t.equal(request.product, 'veche')

  const certFile = join(data, 'certificate.txt')
  writeFileSync(certFile, await certify(claims.sub, { nonce: request.nonce, fingerprint: request.fingerprint }))
  const done = await veche(['activate', '--certificate', certFile, ...at])
  t.equal(done.code, 0, done.stderr)
  t.match(done.stdout, /activated \(offline\)/)
  t.equal((await veche(['license', 'show', ...at])).code, 0)
})
