// Real distribution kits built from this working tree for tests (signed with the vendor's test release
// key, trusting the test keys), and an installation laid out in a temporary root the way the
// installer lays it out: <root>/opt/veche/releases/<version> + current, /etc/veche, /var/lib/veche.
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { buildKit, type KitOptions } from '../installer/build-kit.ts'
import { keyFile } from './fixtures/vendor-keys.ts'

export const RELEASE_KEY = keyFile('test-release-1')

export async function testKit(outDir: string, options: Partial<KitOptions> = {}): Promise<string> {
  const kit = await buildKit({ key: RELEASE_KEY, outDir, allowTestKeys: true, gzipLevel: 1, ...options })
  return kit.file
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export interface Installation {
  root: string
  installDir: string
  dataDir: string
  configFile: string
  pidFile: string
  port: number
  /** `<root>/opt/veche/current/bin/veche` with --config. */
  veche: (args: string[]) => string[]
}

/** install unpacks `kit` as the first release under `root` and writes a config for it. */
export async function install(root: string, kit: string, version: string): Promise<Installation> {
  const installDir = join(root, 'opt/veche')
  const dataDir = join(root, 'var/lib/veche')
  const configFile = join(root, 'etc/veche/veche.yaml')
  const pidFile = join(root, 'run/veche-supervisor.pid')
  for (const d of [join(installDir, 'releases', version), dataDir, join(root, 'etc/veche'), join(root, 'run')]) mkdirSync(d, { recursive: true })
  execFileSync('tar', ['-xzf', kit, '-C', join(installDir, 'releases', version), '--strip-components=1'])
  symlinkSync(join('releases', version), join(installDir, 'current'))
  const port = await freePort()
  writeFileSync(
    configFile,
    [
      'server:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      'data:',
      `  dir: ${dataDir}`,
      'media:',
      '  listenIp: 127.0.0.1',
      '  announcedAddress: 127.0.0.1',
      '  port: 0',
      '  workers: 1',
      'install:',
      `  dir: ${installDir}`,
      `  serviceCommand: kill -HUP $(cat ${pidFile})`,
      '  healthTimeoutSeconds: 20',
      'log:',
      '  level: warn',
      '',
    ].join('\n'),
  )
  return {
    root,
    installDir,
    dataDir,
    configFile,
    pidFile,
    port,
    veche: (args) => [join(installDir, 'current/bin/veche'), ...args, '--config', configFile],
  }
}
