// Files doctor --fix creates belong to the service, not to root: the service usually runs as its own
// user (the installer's `veche`), and a root-owned key or -shm file would lock it out.
import { chownSync, existsSync, statSync } from 'node:fs'

/** giveToDataOwner hands `paths` that exist to the owner of `dataDir` when root runs doctor for a service user. */
export function giveToDataOwner(dataDir: string, paths: string[]): void {
  if (process.getuid?.() !== 0 || !existsSync(dataDir)) return
  const { uid, gid } = statSync(dataDir)
  if (uid === 0) return
  for (const path of paths) if (existsSync(path)) chownSync(path, uid, gid)
}
