import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { acquireLock } from '../../cli/update/lock.ts'
import { tempDir } from '../helper.ts'

t.test('one update at a time; a lock left by a killed update is taken over', async (t) => {
  const file = join(tempDir(t), 'update.lock')
  const release = acquireLock(file)
  t.equal(readFileSync(file, 'utf8'), String(process.pid))
  t.throws(() => acquireLock(file), { message: `another update is running (process ${process.pid}); wait for it to finish` })
  release()
  t.notOk(existsSync(file))

  // A process that held the lock and died (kill -9 mid-update).
  const dead = spawn(process.execPath, ['-e', '0'])
  await new Promise((r) => dead.once('exit', r))
  writeFileSync(file, String(dead.pid))
  const again = acquireLock(file)
  t.equal(readFileSync(file, 'utf8'), String(process.pid), 'the stale lock is taken over')
  again()
})
