// What the backup tests share: the real `veche` command run as an admin would (without the test
// runner's loaders or a config from the environment), and reading back what an archive holds.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readTarGz } from '../../../cli/archive/tar-reader.ts'
import { VECHE } from '../../server-process.ts'
import type { RawEntry } from '../../tar-writer.ts'

const run = promisify(execFile)
/** The environment without the test runner's loaders or a config file of the test's own. */
export const cleanEnv: NodeJS.ProcessEnv = { ...process.env }
delete cleanEnv.NODE_OPTIONS
delete cleanEnv.VECHE_CONFIG

/** veche runs `command` (the checkout's bin/veche) with `args`; a failure is a result, not a throw. */
export async function veche(args: string[], env: NodeJS.ProcessEnv, command = VECHE, prefix: string[] = []) {
  try {
    const { stdout, stderr } = await run(command, [...prefix, ...args], { env: { ...cleanEnv, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** archiveEntries reads every entry of a .tar.gz into memory (test archives are small). */
export async function archiveEntries(archive: string): Promise<RawEntry[]> {
  const out: RawEntry[] = []
  await readTarGz(archive, {
    entry(e) {
      const parts: Buffer[] = []
      return { data: (c) => void parts.push(Buffer.from(c)), end: () => void out.push({ path: e.path, mode: e.mode, data: Buffer.concat(parts) }) }
    },
  })
  return out
}
