// One update at a time: a lock file holding the owner's pid, taken over when that process is gone
// (an apply killed mid-way must not block the next one forever).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { CliError } from '../errors.ts'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** acquireLock takes the lock or throws CliError naming the process that holds it; returns release(). */
export function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(file, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new CliError(`another update is running (process ${pid}); wait for it to finish`)
      }
      rmSync(file, { force: true })
    }
  }
  throw new CliError(`cannot take the update lock ${file}`)
}
