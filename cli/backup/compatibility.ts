// Whether this release can restore a backup: never a database from a newer schema (this code would
// not know its tables), nor an archive layout it does not know.
import { listMigrations } from '../../server/db/migrations.ts'
import { VERSION } from '../../server/version.ts'
import { BACKUP_FORMAT } from './manifest.ts'

/** latestSchema: the highest migration this release has. */
export const latestSchema = (): number => listMigrations().at(-1)?.version ?? 0

/** refusal says why this release must not restore a backup from `version` at `schema`; undefined when it may. */
export function refusal(version: string, schema: number, format = BACKUP_FORMAT): string | undefined {
  const latest = latestSchema()
  if (schema > latest) {
    return (
      `this backup was written by Veche ${version} (database schema ${schema}); this release, ${VERSION}, knows schema ${latest} at most: ` +
      `install Veche ${version} or newer (\`veche update apply <kit>\`), then run the restore again`
    )
  }
  if (format > BACKUP_FORMAT) {
    return `this backup was written by Veche ${version} in a newer archive format (${format}): install Veche ${version} or newer, then run the restore again`
  }
  return undefined
}
