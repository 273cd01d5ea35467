// The data folder exists, takes new files, and has room: everything Veche keeps lives there.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { statfs } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Check } from '../check.ts'
import { ERROR_FREE_BYTES, formatBytes, spaceStatus, WARN_FREE_BYTES } from '../disk-space.ts'

export const dataDirCheck: Check = {
  name: 'data-dir',
  title: 'Data folder',
  async run(ctx, autofix) {
    const dir = resolve(ctx.config().data.dir)
    let fixed: string | undefined
    let stat = statSync(dir, { throwIfNoEntry: false })
    if (!stat && autofix) {
      // 0750: the database holds password hashes and the folder TLS keys.
      mkdirSync(dir, { recursive: true, mode: 0o750 })
      chmodSync(dir, 0o750) // whatever the umask took away
      fixed = `created ${dir} (mode 0750)`
      // Root cannot know which user the service runs as; the installer's is `veche`.
      if (process.getuid?.() === 0) fixed += `, owned by root: \`chown veche: ${dir}\` if the service runs as its own user`
      stat = statSync(dir)
    }
    if (!stat) return { status: 'error', message: `${dir} does not exist: \`veche doctor --fix\` creates it, or set data.dir` }
    if (!stat.isDirectory()) return { status: 'error', message: `${dir} is not a folder: move that file away or set data.dir` }

    const probe = join(dir, `.doctor-${randomBytes(4).toString('hex')}.tmp`)
    try {
      writeFileSync(probe, '', { flag: 'wx' })
      rmSync(probe)
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      return { status: 'error', message: `cannot create a file in ${dir} (${reason}): give the user running Veche write access, or set data.dir` }
    }

    const s = await statfs(dir)
    const free = s.bavail * s.bsize
    const status = spaceStatus(free)
    const base = `${dir}: writable, ${formatBytes(free)} free`
    const result = (message: string) => ({ status, message, fixed })
    if (status === 'error') return result(`${base}, under ${formatBytes(ERROR_FREE_BYTES)}: free disk space (old backups are in ${join(dir, 'backups')}) or move data.dir`)
    if (status === 'warning') return result(`${base}, under ${formatBytes(WARN_FREE_BYTES)}: free disk space soon (old backups are in ${join(dir, 'backups')})`)
    return result(base)
  },
}
