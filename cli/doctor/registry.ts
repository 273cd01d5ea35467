// Every doctor check, in the order they run: what later checks stand on comes first
// (the configuration, the data folder, the database), so --fix repairs it before they look.
import type { Check } from './check.ts'
import { capacityCheck } from './checks/capacity.ts'
import { certificateCheck } from './checks/certificate.ts'
import { clockCheck } from './checks/clock.ts'
import { clusterRedisCheck } from './checks/cluster-redis.ts'
import { configCheck } from './checks/config.ts'
import { dataDirCheck } from './checks/data-dir.ts'
import { databaseCheck } from './checks/database.ts'
import { databaseConnectionCheck } from './checks/database-connection.ts'
import { databaseRoleCheck } from './checks/database-role.ts'
import { databaseServerCheck } from './checks/database-server.ts'
import { ldapCheck } from './checks/ldap.ts'
import { licenseCheck } from './checks/license.ts'
import { mailCheck } from './checks/mail.ts'
import { mediaPortCheck } from './checks/media-port.ts'
import { oidcCheck } from './checks/oidc.ts'
import { timezoneCheck } from './checks/timezone.ts'
import { udpBuffersCheck } from './checks/udp-buffers.ts'
import { workerCheck } from './checks/worker.ts'

export const CHECKS: readonly Check[] = [
  configCheck,
  dataDirCheck,
  databaseConnectionCheck,
  databaseServerCheck,
  databaseCheck,
  databaseRoleCheck,
  certificateCheck,
  licenseCheck,
  ldapCheck,
  oidcCheck,
  mailCheck,
  clusterRedisCheck,
  clockCheck,
  workerCheck,
  mediaPortCheck,
  udpBuffersCheck,
  timezoneCheck,
  capacityCheck,
]
