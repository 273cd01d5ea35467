// The mediasoup worker binary exists and starts on this machine: without it no meeting carries media.
import { spawnSync } from 'node:child_process'
import { basename } from 'node:path'
import type { Check, CheckResult } from '../check.ts'

/** The worker exits with 41 when started without the channel mediasoup gives it: it ran. */
const EXIT_NOT_SPAWNED_BY_MEDIASOUP = 41
const RUN_TIMEOUT_MS = 5000

/** Debian 12 packages of the libraries the worker links (the build uses Debian's, not bundled ones). */
const LIBRARY_PACKAGES: [RegExp, string][] = [
  [/^libuv\.so\.1$/, 'libuv1'],
  [/^lib(ssl|crypto)\.so\.3$/, 'libssl3'],
  [/^libusrsctp\.so\.2$/, 'libusrsctp2'],
  [/^libabsl_/, 'libabsl20220623'],
]

interface LoadFailure {
  /** The library's file name, e.g. libuv.so.1 (the loader may print a full path). */
  library: string
  /** The loader's reason: "cannot open shared object file: ..." when missing, else damaged ("file too short"). */
  reason: string
}

/** loadFailures returns what the dynamic loader said it could not load. */
function loadFailures(stderr: string): LoadFailure[] {
  return [...stderr.matchAll(/error while loading shared libraries: ([^:\s]+): (.*)$/gm)].map((m) => ({ library: basename(m[1]!), reason: m[2]! }))
}

function installHint(failures: LoadFailure[]): string {
  const packages = new Set<string>()
  const unknown: string[] = []
  for (const { library } of failures) {
    const pkg = LIBRARY_PACKAGES.find(([pattern]) => pattern.test(library))?.[1]
    if (pkg) packages.add(pkg)
    else unknown.push(library)
  }
  // A library that is there but unreadable is reinstalled; apt skips a plain install of an installed package.
  const damaged = failures.some((f) => !f.reason.startsWith('cannot open shared object file'))
  const hints = packages.size ? [`\`apt-get install ${damaged ? '--reinstall ' : ''}${[...packages].join(' ')}\``] : []
  if (unknown.length) hints.push(`install the package that provides ${unknown.join(', ')} (\`apt-file search ${unknown[0]}\`)`)
  return hints.join(', and ')
}

function judge(bin: string): CheckResult {
  // Its own environment minus what would make it act as a real worker; the loader's variables stay.
  const env = { ...process.env }
  delete env.MEDIASOUP_VERSION
  const r = spawnSync(bin, [], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS, stdio: ['ignore', 'ignore', 'pipe'] })
  const reinstall = 'reinstall this release (in a development checkout `./setup` builds the worker)'
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return { status: 'error', message: `the media worker ${bin} is missing: ${reinstall}` }
  if (code === 'EACCES') return { status: 'error', message: `the media worker ${bin} is not executable: \`chmod 755 ${bin}\`` }
  if (code === 'ENOEXEC') return { status: 'error', message: `the media worker ${bin} was not built for this machine: ${reinstall}` }
  if (code === 'ETIMEDOUT') return { status: 'error', message: `the media worker ${bin} did not exit within ${RUN_TIMEOUT_MS / 1000} s: ${reinstall}` }
  if (r.error) return { status: 'error', message: `cannot run the media worker ${bin} (${r.error.message}): ${reinstall}` }
  const failures = loadFailures(r.stderr)
  if (failures.length) {
    const what = failures.map((f) => `${f.library} (${f.reason})`).join(', ')
    return { status: 'error', message: `the media worker ${bin} cannot load ${what}: ${installHint(failures)}` }
  }
  if (r.status === EXIT_NOT_SPAWNED_BY_MEDIASOUP) return { status: 'ok', message: `${bin} runs` }
  const last = r.stderr.trim().split('\n').at(-1) ?? ''
  const how = r.status === null ? `was killed by ${r.signal}` : `exited with code ${r.status}`
  return { status: 'error', message: `the media worker ${bin} ${how}${last ? ` (${last})` : ''}: ${reinstall}` }
}

export const workerCheck: Check = {
  name: 'worker',
  title: 'Media worker',
  async run(ctx) {
    return judge(ctx.workerBin)
  },
}
