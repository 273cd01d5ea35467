// Points `current` at a release atomically: a new symlink renamed over the old one, so at every
// instant `current` names a complete release.
import { renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Layout } from './layout.ts'

export function switchCurrent(layout: Layout, version: string): void {
  const tmp = `${layout.current}.new`
  rmSync(tmp, { force: true })
  symlinkSync(join('releases', version), tmp)
  renameSync(tmp, layout.current)
}
