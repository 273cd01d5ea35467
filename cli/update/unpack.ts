// Unpacks a checked kit into releases/<version> beside the running release, and verifies every
// unpacked file against the signed manifest before the folder gets its final name.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ReleaseClaims } from '../../license-keys/claims.ts'
import { failpoint } from '../../server/failpoint.ts'
import { CliError } from '../errors.ts'
import { progress } from './progress.ts'

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** unpackRelease returns the release folder; a half-unpacked one is only ever named `<version>.partial`. */
export async function unpackRelease(kitFile: string, manifest: ReleaseClaims, releasesDir: string): Promise<string> {
  const final = join(releasesDir, manifest.version)
  const partial = `${final}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true, mode: 0o755 })
  const total = Object.keys(manifest.files).length + 1
  const bar = progress('unpacking', total)
  await new Promise<void>((resolve, reject) => {
    // The kit's entries were checked already: plain files and folders under one top folder.
    const tar = spawn('tar', ['-xzvf', kitFile, '-C', partial, '--strip-components=1', '--no-same-owner'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let count = 0
    let stderr = ''
    tar.stderr.on('data', (d) => (stderr += String(d)))
    createInterface({ input: tar.stdout }).on('line', () => {
      bar.update(++count)
      if (count === Math.floor(total / 2)) failpoint('update:mid-unpack')
    })
    tar.on('error', reject)
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new CliError(`unpacking failed (tar exit ${code}): ${stderr.trim()}; is the disk full?`))))
  })
  bar.end()
  const verify = progress('verifying unpacked files', total - 1)
  let done = 0
  for (const [path, [size, hash]] of Object.entries(manifest.files)) {
    const file = join(partial, path)
    if (!existsSync(file) || statSync(file).size !== size || (await sha256(file)) !== hash) {
      rmSync(partial, { recursive: true, force: true })
      throw new CliError(`unpacked ${path} does not match the manifest (disk error?): nothing was changed`)
    }
    verify.update(++done)
  }
  verify.end()
  rmSync(final, { recursive: true, force: true })
  renameSync(partial, final)
  return final
}
