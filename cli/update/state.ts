// What the last update did, kept in the data folder so an interrupted one can be finished or undone.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type UpdatePhase = 'switched' | 'healthy' | 'rolled-back' | 'abandoned'

export interface UpdateState {
  from: string
  to: string
  phase: UpdatePhase
  /** The backup taken before switching: its folder holds veche.db and the config. */
  backup: string
  at: number
}

const file = (dataDir: string): string => join(dataDir, 'update-state.json')

export function readState(dataDir: string): UpdateState | undefined {
  return existsSync(file(dataDir)) ? (JSON.parse(readFileSync(file(dataDir), 'utf8')) as UpdateState) : undefined
}

export function writeState(dataDir: string, state: UpdateState): void {
  const tmp = `${file(dataDir)}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  renameSync(tmp, file(dataDir))
}
