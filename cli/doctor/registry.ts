// Every doctor check, in the order they run: what later checks stand on comes first
// (the configuration, the data folder, the database), so --fix repairs it before they look.
import type { Check } from './check.ts'
import { certificateCheck } from './checks/certificate.ts'
import { clockCheck } from './checks/clock.ts'
import { configCheck } from './checks/config.ts'
import { dataDirCheck } from './checks/data-dir.ts'
import { databaseCheck } from './checks/database.ts'
import { licenseCheck } from './checks/license.ts'
import { mediaPortCheck } from './checks/media-port.ts'
import { timezoneCheck } from './checks/timezone.ts'
import { workerCheck } from './checks/worker.ts'

export const CHECKS: readonly Check[] = [
  configCheck,
  dataDirCheck,
  databaseCheck,
  certificateCheck,
  licenseCheck,
  clockCheck,
  workerCheck,
  mediaPortCheck,
  timezoneCheck,
]
