// An evaluation key from the vendor's tools to a working server, offline, as a prospective customer
// gets one: `veche-vendor license issue --evaluation`, `veche activate --offline`, the vendor's
// `activation certify`, `veche activate --certificate`, `veche license show`.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { verifyToken } from '../../license-keys/verify.ts'
import { keyFile, testKeyring } from '../fixtures/vendor-keys.ts'
import { tempDir } from '../helper.ts'
import { VECHE } from '../server-process.ts'

const run = promisify(execFile)
const VENDOR = fileURLToPath(new URL('../../bin/veche-vendor', import.meta.url))

/** cli runs a command the way an operator does: without tap's NODE_OPTIONS (see test/license-keys/vendor/cli.test.ts). */
async function cli(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('env', ['-u', 'NODE_OPTIONS', '-u', 'VECHE_CONFIG', command, ...args])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('an evaluation key: issued once per licensee, activated offline, shown with the days left', async (t) => {
  const dir = tempDir(t)
  const db = join(dir, 'vendor.db')
  const at = ['--set', `data.dir=${join(dir, 'data')}`]
  const issue = ['license', 'issue', '--key', keyFile('test-license-1'), '--db', db, '--licensee', 'ООО «Ромашка»', '--evaluation']

  const issued = await cli(VENDOR, [...issue, '--out', join(dir, 'eval.key')])
  t.equal(issued.code, 0, issued.stderr)
  t.match(issued.stderr, /^issued lic_\S+ to ООО «Ромашка»: Evaluation, evaluation through \d{4}-\d\d-\d\d/)
  const key = readFileSync(join(dir, 'eval.key'), 'utf8')
  const claims = await verifyToken('license', key, testKeyring())
  t.equal(claims.kind, 'evaluation', 'marked as an evaluation in its claims')
  t.equal(claims.term, 'subscription')
  t.equal(claims.termEnd! - claims.iat, 30 * 86_400, '30 days')
  t.same(claims.limits, { rooms: 2, participantsPerRoom: 10, internalUsers: 25 })

  const twice = await cli(VENDOR, [...issue, '--licensee', '  ооо «ромашка» '])
  t.equal(twice.code, 1, 'the same licensee (case and spacing aside) gets one evaluation')
  t.match(twice.stderr, new RegExp(`^veche-vendor: ООО «Ромашка» already received evaluation key ${claims.sub} on .*add --force to issue a second evaluation\\n$`))
  const forced = await cli(VENDOR, [...issue, '--force', '--days', '14'])
  t.equal(forced.code, 0, forced.stderr)
  const second = await verifyToken('license', forced.stdout, testKeyring())
  t.equal(second.termEnd! - second.iat, 14 * 86_400, '--force issues a second one; --days sets its length')
  const sold = await cli(VENDOR, ['license', 'issue', '--key', keyFile('test-license-1'), '--db', db, '--licensee', 'X', '--plan', 'Business'])
  t.equal(sold.code, 1)
  t.equal(sold.stderr, 'veche-vendor: a sold key needs --rooms, --participants, --users, --term (or use --evaluation for a trial key)\n')

  // Offline, like any key: the request travels to the vendor and the certificate back.
  const request = join(dir, 'request.json')
  const asked = await cli(VECHE, ['activate', join(dir, 'eval.key'), '--offline', '--out', request, ...at])
  t.equal(asked.code, 0, asked.stderr)
  const certificate = join(dir, 'certificate.txt')
  const certified = await cli(VENDOR, ['activation', 'certify', request, '--key', keyFile('test-activation-1'), '--db', db, '--out', certificate, '--allow-test-keys'])
  t.equal(certified.code, 0, certified.stderr)
  const done = await cli(VECHE, ['activate', '--certificate', certificate, ...at])
  t.equal(done.code, 0, done.stderr)
  t.match(done.stdout, /status:\s+active\nkind:\s+Evaluation: 30 days left \(until \d{4}-\d\d-\d\d\)\n/)
  t.match(done.stdout, /warning:\s+the evaluation ends on .* \(30 days left\): buy a license key \(https:\/\/veche\.example\/buy\)/)
  const shown = await cli(VECHE, ['license', 'show', '--json', ...at])
  t.equal(shown.code, 0)
  t.equal(JSON.parse(shown.stdout).claims.kind, 'evaluation')
})
