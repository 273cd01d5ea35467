// The UDP buffer check reads the kernel's setting; a folder stands in for /proc/sys.
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { udpBuffersCheck, WANTED_RMEM_DEFAULT } from '../../../cli/doctor/checks/udp-buffers.ts'
import { contextWith, tempDir } from './fixtures/doctor.ts'

function procSysWith(t: Parameters<typeof tempDir>[0], rmemDefault: string | undefined): string {
  const root = tempDir(t)
  mkdirSync(join(root, 'net', 'core'), { recursive: true })
  if (rmemDefault !== undefined) writeFileSync(join(root, 'net', 'core', 'rmem_default'), `${rmemDefault}\n`)
  return root
}

t.test("Debian's default buffer is a warning that names the fix", async (t) => {
  const ctx = contextWith(tempDir(t), [], { procSys: procSysWith(t, '212992') })
  const result = await udpBuffersCheck.run(ctx, false)
  t.equal(result.status, 'warning')
  t.match(result.message, /net\.core\.rmem_default is 208 KiB/)
  t.match(result.message, `sysctl -w net.core.rmem_default=${WANTED_RMEM_DEFAULT}`)
  t.match(result.message, '/etc/sysctl.d/60-veche.conf')
})

t.test('the installed setting (or more) is fine', async (t) => {
  for (const value of [String(WANTED_RMEM_DEFAULT), String(2 * WANTED_RMEM_DEFAULT)]) {
    const result = await udpBuffersCheck.run(contextWith(tempDir(t), [], { procSys: procSysWith(t, value) }), false)
    t.equal(result.status, 'ok', value)
  }
})

t.test('an unreadable setting is not a failure', async (t) => {
  const result = await udpBuffersCheck.run(contextWith(tempDir(t), [], { procSys: procSysWith(t, undefined) }), false)
  t.equal(result.status, 'ok')
  t.match(result.message, /cannot read/)
})

t.test('the installer ships the setting the check wants', async (t) => {
  const conf = readFileSync(new URL('../../../installer/sysctl/60-veche.conf', import.meta.url), 'utf8')
  t.match(conf, new RegExp(`^net\\.core\\.rmem_default = ${WANTED_RMEM_DEFAULT}$`, 'm'))
})
