// Shared by the PostgreSQL checks: one probe per doctor run, however many checks read it.
import { usesPostgres } from '../../../server/db/engine.ts'
import { probePostgres, type PostgresFacts, type PostgresProbe } from '../../db/postgres-facts.ts'
import { SkipCheck } from '../check.ts'
import type { DoctorContext } from '../context.ts'

export type PostgresProbeResult = Promise<PostgresProbe>

const probes = new WeakMap<DoctorContext, PostgresProbeResult>()

/** postgresProbe returns this run's probe of database.url, or undefined when the database is SQLite. */
export function postgresProbe(ctx: DoctorContext): Promise<PostgresProbe> | undefined {
  const settings = ctx.config().database
  if (!usesPostgres(settings)) return undefined
  let probe = probes.get(ctx)
  if (!probe) probes.set(ctx, (probe = probePostgres(settings)))
  return probe
}

/** postgresFacts returns the facts, or throws SkipCheck when the connection failed (the connection check says why). */
export async function postgresFacts(probe: Promise<PostgresProbe>): Promise<PostgresFacts> {
  const { facts } = await probe
  if (!facts) throw new SkipCheck('PostgreSQL cannot be used (see the database-connection check)')
  return facts
}
