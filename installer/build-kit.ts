// Builds the distribution kit veche-<version>-linux-x64.tar.gz from a set-up working tree: the
// pinned Node runtime, the server and CLI, production node_modules with the native parts built here,
// the web client, config example, installer, and a manifest of every file signed with a release key.
// Vendor tooling: run as `npm run kit -- --key <release key file>`.
import { Command } from 'commander'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, homedir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { signReleaseManifest } from '../license-keys/vendor/issue.ts'
import { loadSigningKey } from '../license-keys/vendor/signing-keys.ts'
import { listMigrations } from '../server/db/migrations.ts'
import { KIT_EXCLUDE, KIT_PATHS, NATIVE, PRUNE } from './kit-contents.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface KitOptions {
  /** Release private key file (purpose release). */
  key: string
  outDir: string
  /** Defaults to package.json's version. */
  version?: string
  /** Unix seconds; defaults to now. */
  releaseDate?: number
  minUpgradeFrom?: string
  /** A kit for tests: the installed appliance keeps trusting the vendor's test keys. */
  allowTestKeys?: boolean
  /** gzip level; tests use 1 to save time. */
  gzipLevel?: number
}

export interface BuiltKit {
  file: string
  version: string
  files: number
  bytes: number
}

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void => {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`)
}

/** productionModules returns a cached `npm ci --omit=dev` of this lockfile (no install scripts). */
function productionModules(): string {
  const lock = readFileSync(join(ROOT, 'package-lock.json'))
  const key = createHash('sha256').update(lock).update(readFileSync(join(ROOT, 'package.json'))).digest('hex').slice(0, 16)
  const cache = join(process.env.VECHE_CACHE ?? join(homedir(), '.cache', 'veche'), `kit-node-modules-${key}`)
  if (existsSync(join(cache, 'node_modules'))) return cache
  const tmp = `${cache}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(tmp, 'package.json'))
  cpSync(join(ROOT, 'package-lock.json'), join(tmp, 'package-lock.json'))
  // Scripts stay off: native parts come from this working tree, built and tested here.
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], tmp)
  // Two builds may fill the cache at once (tests run kit builds side by side): the first rename wins,
  // the other finds the cache complete and drops its own copy. A rename never leaves half a folder.
  // A cache folder without node_modules is what an older builder left when it stopped halfway.
  if (existsSync(cache) && !existsSync(join(cache, 'node_modules'))) rmSync(cache, { recursive: true, force: true })
  try {
    renameSync(tmp, cache)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(join(cache, 'node_modules'))) throw err
    rmSync(tmp, { recursive: true, force: true })
  }
  return cache
}

function walkFiles(dir: string, base = dir, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const st = lstatSync(path)
    if (st.isSymbolicLink()) throw new Error(`kit must not contain symlinks: ${relative(base, path)}`)
    if (st.isDirectory()) walkFiles(path, base, out)
    else if (st.isFile()) out.push(relative(base, path))
  }
  return out
}

/** npm's .bin folders hold only symlinks to package scripts; the appliance runs node directly. */
function removeBinLinks(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === '.bin') rmSync(path, { recursive: true, force: true })
    else if (lstatSync(path).isDirectory()) removeBinLinks(path)
  }
}

const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

/** buildKit stages, signs and packs a kit; returns where it is. Throws if the tree is not set up. */
export async function buildKit(options: KitOptions): Promise<BuiltKit> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const version = options.version ?? pkg.version
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`version must be x.y.z, got ${version}`)
  for (const native of NATIVE) {
    if (!existsSync(join(ROOT, 'node_modules', native))) throw new Error(`node_modules/${native} is missing: run ./setup first`)
  }
  if (!existsSync(join(ROOT, 'server/web/dist/index.html'))) throw new Error('the web client is not built: run ./setup first')
  const key = loadSigningKey(options.key, 'release')

  const name = `veche-${version}`
  const stageRoot = join(resolve(options.outDir), `.stage-${process.pid}`)
  const stage = join(stageRoot, name)
  rmSync(stageRoot, { recursive: true, force: true })
  mkdirSync(stage, { recursive: true })
  try {
    for (const path of KIT_PATHS) {
      const from = join(ROOT, path)
      if (!existsSync(from)) continue
      cpSync(from, join(stage, path), {
        recursive: true,
        filter: (src) => !KIT_EXCLUDE.some((re) => re.test(relative(ROOT, src))),
      })
    }
    const pkgInKit = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as Record<string, unknown>
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...pkgInKit, version }, null, 2)}\n`)

    // Production dependencies, pruned, with the native parts built in this working tree.
    const modules = join(stage, 'node_modules')
    cpSync(join(productionModules(), 'node_modules'), modules, { recursive: true })
    for (const p of PRUNE) rmSync(join(modules, p), { recursive: true, force: true })
    removeBinLinks(modules)
    for (const native of NATIVE) {
      mkdirSync(dirname(join(modules, native)), { recursive: true })
      cpSync(join(ROOT, 'node_modules', native), join(modules, native))
    }
    // A test kit keeps trusting the vendor's test keys; a real one drops them from the keyring.
    if (!options.allowTestKeys) {
      const keysFile = join(stage, 'license-keys/trusted-keys.json')
      const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as { keys: { status: string }[] }
      writeFileSync(keysFile, `${JSON.stringify({ ...keys, keys: keys.keys.filter((k) => k.status !== 'test') }, null, 2)}\n`)
    }
    const releaseDate = options.releaseDate ?? Math.floor(Date.now() / 1000)
    writeFileSync(
      join(stage, 'release.json'),
      `${JSON.stringify({ product: 'veche', version, releaseDate, allowTestKeys: Boolean(options.allowTestKeys) }, null, 2)}\n`,
    )

    const files: Record<string, [number, string]> = {}
    let bytes = 0
    for (const rel of walkFiles(stage)) {
      const size = statSync(join(stage, rel)).size
      files[rel] = [size, sha256File(join(stage, rel))]
      bytes += size
    }
    const { token } = await signReleaseManifest(
      {
        version,
        releaseDate,
        minUpgradeFrom: options.minUpgradeFrom ?? '0.0.0',
        schemaVersion: listMigrations().at(-1)?.version ?? 0,
        files,
      },
      key,
    )
    writeFileSync(join(stage, 'manifest.jwt'), `${token}\n`)

    mkdirSync(resolve(options.outDir), { recursive: true })
    const file = join(resolve(options.outDir), `${name}-linux-x64.tar.gz`)
    const level = options.gzipLevel ?? 9
    run(
      'tar',
      [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        `--mtime=@${releaseDate}`,
        '-I',
        `gzip -${level}`,
        '-cf',
        `${file}.tmp`,
        name,
      ],
      stageRoot,
    )
    run('mv', [`${file}.tmp`, file], stageRoot)
    return { file, version, files: Object.keys(files).length + 1, bytes }
  } finally {
    rmSync(stageRoot, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const program = new Command('build-kit')
    .description('build the Veche distribution kit from this set-up working tree')
    .requiredOption('--key <file>', 'release signing key (veche-vendor keys create --purpose release)')
    .option('--out <dir>', 'where to write the kit', join(ROOT, 'dist'))
    .option('--version <x.y.z>', 'kit version (default: package.json)')
    .option('--min-upgrade-from <x.y.z>', 'oldest installed version this kit may upgrade', '0.0.0')
    .option('--release-date <YYYY-MM-DD>', 'release date (default: today)')
    .option('--allow-test-keys', 'keep trusting the vendor test keys (test kits only)')
    .option('--gzip-level <n>', 'gzip level 1-9', '9')
    .parse()
  const o = program.opts<{ key: string; out: string; version?: string; minUpgradeFrom: string; releaseDate?: string; allowTestKeys?: boolean; gzipLevel: string }>()
  const started = Date.now()
  const kit = await buildKit({
    key: o.key,
    outDir: o.out,
    minUpgradeFrom: o.minUpgradeFrom,
    gzipLevel: Number(o.gzipLevel),
    ...(o.version ? { version: o.version } : {}),
    ...(o.releaseDate ? { releaseDate: Math.floor(Date.parse(`${o.releaseDate}T00:00:00Z`) / 1000) } : {}),
    ...(o.allowTestKeys ? { allowTestKeys: true } : {}),
  })
  const mb = (statSync(kit.file).size / 1e6).toFixed(1)
  process.stdout.write(`${kit.file}\n  version ${kit.version}, ${kit.files} files, ${(kit.bytes / 1e6).toFixed(0)} MB unpacked, ${mb} MB packed, built in ${((Date.now() - started) / 1000).toFixed(1)} s (${availableParallelism()} cores)\n`)
}
