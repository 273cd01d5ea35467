// `veche backup --with-recordings` and the restore of its recordings, as an admin moving to new
// hardware runs them: a real database with recordings rows, real files in <data>/recordings, the real
// CLI. Without the flag the recordings are left out and said so; with it they come back byte for byte.
import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { PassThrough } from 'node:stream'
import { peekBackup } from '../../../cli/backup/read.ts'
import { SourceChangedError, writeTarGz } from '../../../cli/backup/tar-writer.ts'
import { openDatabase } from '../../../server/db/database.ts'
import { createDb } from '../../../server/db/engine.ts'
import { createRecordingsRepository, type Recording, type RecordingStatus } from '../../../server/db/recordings-repository.ts'
import { createRoomsRepository } from '../../../server/db/rooms-repository.ts'
import { createUsersRepository } from '../../../server/db/users-repository.ts'
import { tempDir } from '../../helper.ts'
import { archiveEntries, veche } from './backup-cli.ts'
import { VECHE } from '../../server-process.ts'
import { tarGz } from '../../tar-writer.ts'

const MIB = 1024 * 1024

/** envFor: data in `data`, no config file, and port 0 so restore has no live server to probe for. */
const envFor = (data: string): NodeJS.ProcessEnv => ({ VECHE_DATA_DIR: data, VECHE_SERVER_HOST: '127.0.0.1', VECHE_SERVER_PORT: '0' })

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** snapshot: every file under `dir` with its bytes' hash and mode, to prove a refused restore changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, name.name)
      if (name.isDirectory()) walk(path)
      else out[relative(dir, path)] = `${sha256(readFileSync(path))} ${(statSync(path).mode & 0o777).toString(8)}`
    }
  }
  walk(dir)
  return out
}

interface Workspace {
  finished: Recording[]
  live: Recording
}

/**
 * workspace makes a data folder as a server leaves it: a ready and a partial recording (video and chat
 * files of a few kB), one still being recorded, one that failed without a file.
 */
async function workspace(data: string): Promise<Workspace> {
  const db = openDatabase(join(data, 'veche.db'))
  try {
    const layer = createDb({ url: '', password: '', passwordFile: '' }, db)
    const owner = await createUsersRepository(layer).create({ email: 'owner@corp.example', displayName: 'Ольга', role: 'owner', passwordHash: 'x' })
    const room = await createRoomsRepository(layer).create(owner.id, 'Планёрка')
    const recordings = createRecordingsRepository(layer)
    const dir = join(data, 'recordings')
    mkdirSync(dir, { recursive: true, mode: 0o750 })
    const make = async (status: RecordingStatus, files: boolean): Promise<Recording> => {
      const r = await recordings.create({ roomId: room.id, roomTitle: room.title, roomOwnerId: owner.id, startedBy: owner.id, startedByName: 'Ольга', startedAt: Date.now() })
      if (files) {
        writeFileSync(join(dir, r.file), randomBytes(3000 + Math.floor(Math.random() * 2000)), { mode: 0o640 })
        writeFileSync(join(dir, r.chatFile), `# Планёрка\n[00:00:01] Ольга: привет\n`, { mode: 0o640 })
      }
      if (status === 'recording') return r
      return (await recordings.finish(r.id, { status, endedAt: Date.now(), durationMs: files ? 4000 : null, sizeBytes: files ? 3000 : 0, error: null }))!
    }
    const finished = [await make('ready', true), await make('partial', true)]
    await make('failed', false)
    const live = await make('recording', true)
    return { finished, live }
  } finally {
    db.close()
  }
}

async function recordingRows(data: string): Promise<Recording[]> {
  const db = openDatabase(join(data, 'veche.db'))
  try {
    return await createRecordingsRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).listAll()
  } finally {
    db.close()
  }
}

t.test('without --with-recordings: the recordings are left out, and the output says how to include them', async (t) => {
  const dir = tempDir(t, 'veche-rec-backup-')
  const dataA = join(dir, 'a')
  const dataB = join(dir, 'b')
  await workspace(dataA)
  const archive = join(dir, 'plain.tar.gz')
  const made = await veche(['backup', '--out', archive], envFor(dataA))
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, /\n {2}recordings: left out 2 recordings \(\d+\.\d kB\): add --with-recordings to include them\n/)
  const inside = await archiveEntries(archive)
  t.notOk(inside.some((e) => e.path.startsWith('recordings/')), 'no recording in the archive')
  t.notOk(JSON.parse(inside[0]!.data!.toString()).files.some((f: { path: string }) => f.path.startsWith('recordings/')))

  // An archive without recordings leaves the recordings folder alone, and says which rows lack files.
  mkdirSync(join(dataB, 'recordings'), { recursive: true })
  writeFileSync(join(dataB, 'recordings', 'older.mp4'), 'a recording made on this machine')
  const restored = await veche(['restore', '--no-service', archive], envFor(dataB))
  t.equal(restored.code, 0, restored.stderr)
  t.notMatch(restored.stdout, /recording files into/)
  t.match(restored.stdout, /note: 2 recordings in the restored database have no file in .*\/b\/recordings: this backup was made without --with-recordings/)
  t.same(readdirSync(join(dataB, 'recordings')), ['older.mp4'])
  t.equal(readFileSync(join(dataB, 'recordings', 'older.mp4'), 'utf8'), 'a recording made on this machine')

  // A workspace without recordings says nothing about them.
  const empty = join(dir, 'empty')
  openDatabase(join(empty, 'veche.db')).close()
  const none = await veche(['backup', '--out', join(dir, 'none.tar.gz')], envFor(empty))
  t.equal(none.code, 0, none.stderr)
  t.notMatch(none.stdout, /recordings/)
})

t.test('with --with-recordings: archived with their checksums, restored byte for byte beside what is there', async (t) => {
  const dir = tempDir(t, 'veche-rec-backup-')
  const dataA = join(dir, 'a')
  const dataB = join(dir, 'b')
  const { finished, live } = await workspace(dataA)
  const recA = join(dataA, 'recordings')
  // Made by an older release without the server's umask: restored the way the server writes them.
  chmodSync(join(recA, finished[0]!.chatFile), 0o644)
  writeFileSync(join(recA, 'stray.bin'), 'nobody refers to this')
  symlinkSync('/etc/passwd', join(recA, 'link.mp4'))
  const names = finished.flatMap((r) => [r.file, r.chatFile])

  const archive = join(dir, 'full.tar.gz')
  const made = await veche(['backup', '--with-recordings', '--out', archive], envFor(dataA))
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, new RegExp(`\\n {2}recordings: 2 recordings, 4 files \\(\\d+\\.\\d kB\\) from ${recA}\\n`))
  t.match(made.stdout, /\n {2}left out 1 recording still being recorded: back up again once it ends/)
  t.match(made.stdout, /not included from the recordings folder: link\.mp4 \(no recording in the database refers to it\), stray\.bin \(no recording/)

  const inside = await archiveEntries(archive)
  const archived = inside.filter((e) => e.path.startsWith('recordings/'))
  t.same(archived.map((e) => e.path).sort(), names.map((n) => `recordings/${n}`).sort(), 'the finished recordings, nothing else')
  const manifest = JSON.parse(inside[0]!.data!.toString()) as { files: { path: string; size: number; sha256: string }[] }
  for (const name of names) {
    const bytes = readFileSync(join(recA, name))
    t.same(manifest.files.find((f) => f.path === `recordings/${name}`), { path: `recordings/${name}`, size: bytes.length, sha256: sha256(bytes), mode: statSync(join(recA, name)).mode & 0o777 })
    t.same(archived.find((e) => e.path === `recordings/${name}`)!.data, bytes)
  }
  t.notOk(inside.some((e) => e.path.includes(live.id)), 'the recording still being written is not in the archive')

  // Into a fresh data folder owned by the service's user (root restores for it).
  mkdirSync(dataB)
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dataB, 65534, 65534)
  const restored = await veche(['restore', '--no-service', archive], envFor(dataB))
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, new RegExp(`checked ${manifest.files.length} files against backup\\.json`))
  t.match(restored.stdout, new RegExp(`restored 4 recording files into ${dataB}/recordings\\n`))
  t.notMatch(restored.stdout, /have no file/, 'every finished recording has its file')
  const recB = join(dataB, 'recordings')
  t.same(readdirSync(recB).sort(), [...names].sort())
  for (const name of names) {
    t.same(readFileSync(join(recB, name)), readFileSync(join(recA, name)), `${name} is byte-identical`)
    const st = statSync(join(recB, name))
    t.equal(st.mode & 0o777, 0o640, `${name} is mode 0640, as the server writes recordings`)
    if (asRoot) t.same([st.uid, st.gid], [65534, 65534], `${name} belongs to the data folder's owner`)
  }
  t.equal(statSync(recB).mode & 0o777, 0o750)
  const rows = await recordingRows(dataB)
  t.same(rows.map((r) => r.id).sort(), (await recordingRows(dataA)).map((r) => r.id).sort(), 'every row came back')
  for (const r of rows.filter((r) => r.status === 'ready' || r.status === 'partial')) {
    t.ok(existsSync(join(recB, r.file)) && existsSync(join(recB, r.chatFile)), `${r.id}: the row points at its files`)
  }
  t.equal(rows.find((r) => r.id === live.id)?.status, 'recording', 'the live recording is a row without a file (the server marks it failed at start)')

  // Again over the same folder: a recording that differs is kept aside, others stay as they are.
  const changed = join(recB, finished[1]!.file)
  writeFileSync(changed, 'edited on the new machine')
  writeFileSync(join(recB, 'newer.mp4'), 'recorded on the new machine')
  const again = await veche(['restore', '--no-service', archive], envFor(dataB))
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /restored 1 recording file into .* \(3 more were already there, unchanged\)/)
  t.same(readFileSync(changed), readFileSync(join(recA, finished[1]!.file)), 'the archived bytes are back')
  const kept = readdirSync(recB).filter((f) => f.includes('.before-restore-'))
  t.match(kept, [new RegExp(`^${finished[1]!.file.replace('.', '\\.')}\\.before-restore-\\d{8}T\\d{6}Z$`)])
  t.equal(readFileSync(join(recB, kept[0]!), 'utf8'), 'edited on the new machine', 'the replaced recording is kept beside')
  t.match(again.stdout, new RegExp(`kept the replaced ${join(recB, kept[0]!)}`))
  t.equal(readFileSync(join(recB, 'newer.mp4'), 'utf8'), 'recorded on the new machine', 'a recording the archive lacks stays')

  // One byte of a recording changed inside an otherwise well-formed archive: refused before anything moves.
  const tampered = join(dir, 'tampered.tar.gz')
  const victim = `recordings/${finished[0]!.file}`
  writeFileSync(tampered, tarGz(inside.map((e) => {
    if (e.path !== victim) return e
    const data = Buffer.from(e.data!)
    data[data.length >> 1]! ^= 0x01
    return { ...e, data }
  })))
  writeFileSync(join(recB, finished[0]!.file), 'changed again')
  const before = snapshot(dataB)
  const refused = await veche(['restore', '--no-service', tampered], envFor(dataB))
  t.equal(refused.code, 1)
  t.match(refused.stderr, new RegExp(`tampered\\.tar\\.gz is damaged: ${victim.replace('.', '\\.')} does not match its SHA-256 in backup\\.json; nothing was changed`))
  t.same(snapshot(dataB), before, 'nothing in the data folder changed')
})

t.test('a recording whose name would not fit the archive is left out and named', async (t) => {
  const dir = tempDir(t, 'veche-rec-backup-')
  const data = join(dir, 'data')
  const { finished } = await workspace(data)
  // Recording ids make 36-byte paths; only a hand-edited row can name a longer file.
  const long = `${'x'.repeat(86)}.mp4`
  const db = openDatabase(join(data, 'veche.db'))
  db.prepare('UPDATE recordings SET file = ? WHERE id = ?').run(long, finished[0]!.id)
  db.close()
  writeFileSync(join(data, 'recordings', long), 'long')
  const archive = join(dir, 'long.tar.gz')
  const made = await veche(['backup', '--with-recordings', '--out', archive], envFor(data))
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, `${long} (name too long for the archive (over 89 bytes))`)
  t.match(made.stdout, /recordings: 2 recordings, 3 files/)
  t.notOk((await archiveEntries(archive)).some((e) => e.path.includes('xxxx')))
})

t.test('the quick look stops before the recordings; a truncated archive is still refused whole', async (t) => {
  const dir = tempDir(t, 'veche-rec-backup-')
  const data = join(dir, 'data')
  await workspace(data)
  const archive = join(dir, 'full.tar.gz')
  t.equal((await veche(['backup', '--with-recordings', '--out', archive], envFor(data))).code, 0)
  const cut = join(dir, 'cut.tar.gz')
  const bytes = readFileSync(archive)
  // Random recording bytes do not compress: the last 2,000 bytes are inside the recordings.
  writeFileSync(cut, bytes.subarray(0, bytes.length - 2000))
  t.match((await peekBackup(cut)).manifest, { product: 'veche' }, 'backup.json is read without reading on to the end')
  const target = join(dir, 'target')
  const refused = await veche(['restore', cut, '--no-service'], envFor(target))
  t.equal(refused.code, 1)
  t.match(refused.stderr, /cut\.tar\.gz is not a readable backup archive \(the archive is truncated \(it ends early\)\): use another copy of the backup/)
  t.notOk(existsSync(join(target, 'veche.db')), 'nothing was restored')
})

t.test('a file that changes between being hashed and being archived fails the archive, never spoils it', async (t) => {
  const dir = tempDir(t, 'veche-rec-tar-')
  const file = join(dir, 'r.mp4')
  writeFileSync(file, 'after')
  const entry = { path: 'recordings/r.mp4', mode: 0o640, mtime: 0, source: file }
  const write = (e: typeof entry & { size: number; sha256?: string }): Promise<void> => writeTarGz([e], new PassThrough().resume())
  await t.rejects(write({ ...entry, size: 5, sha256: sha256(Buffer.from('befor')) }), new SourceChangedError('recordings/r.mp4 changed while being archived (its SHA-256 is no longer the one in backup.json)'))
  await t.rejects(write({ ...entry, size: 4 }), { name: 'SourceChangedError', message: /changed size while being archived \(4 -> 5 bytes\)/ })
  await t.resolves(write({ ...entry, size: 5, sha256: sha256(Buffer.from('after')) }))
  symlinkSync('/etc/hostname', join(dir, 'link.mp4'))
  await t.rejects(write({ ...entry, source: join(dir, 'link.mp4'), size: 5 }), { name: 'SourceChangedError', message: /could not be read while being archived \(ELOOP/ })
})

const NO_NAMESPACE =
  process.getuid?.() === 0 && (await veche([], {}, 'unshare', ['-m', 'true'])).code === 0 ? false : 'needs root and unshare(1) for a small filesystem'

t.test('a backup that clearly does not fit is refused, naming the MiB needed and free', { skip: NO_NAMESPACE }, async (t) => {
  const dir = tempDir(t, 'veche-rec-space-')
  const data = join(dir, 'data')
  const { finished } = await workspace(data)
  writeFileSync(join(data, 'recordings', finished[0]!.file), Buffer.alloc(3 * MIB))
  const out = join(dir, 'small')
  mkdirSync(out)
  // A private mount namespace: the 2 MiB filesystem vanishes with the process.
  const inSmall = (args: string[]) => veche(args, envFor(data), 'unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs '${out}' && exec "$0" "$@"`, VECHE])
  const refused = await inSmall(['backup', '--with-recordings', '--out', out])
  t.equal(refused.code, 1)
  t.match(refused.stderr, new RegExp(`not enough free space in ${out} for this backup: it needs about \\d+ MiB \\(database \\d+ MiB, recordings 4 MiB\\) and 2 MiB are free: free space there, or write the backup elsewhere with --out <folder>`))
  const small = await inSmall(['backup', '--out', out])
  t.equal(small.code, 0, small.stderr)
  t.match(small.stdout, /recordings: left out 2 recordings \(3\.\d MB\)/)
})

t.test('recordings restored onto a disk of their own (no rename across filesystems)', { skip: NO_NAMESPACE }, async (t) => {
  const dir = tempDir(t, 'veche-rec-disk-')
  const dataA = join(dir, 'a')
  const dataB = join(dir, 'b')
  const { finished } = await workspace(dataA)
  const archive = join(dir, 'full.tar.gz')
  t.equal((await veche(['backup', '--with-recordings', '--out', archive], envFor(dataA))).code, 0)
  const recB = join(dataB, 'recordings')
  mkdirSync(recB, { recursive: true })
  // The restore and a look at the result run in one private mount namespace: the disk vanishes after.
  // `--`: a recording's random name may start with '-'.
  const script = `mount -t tmpfs -o size=16m tmpfs '${recB}' && "$0" "$@" && cd '${recB}' && stat -c '%a %n' -- * && sha256sum -- *`
  const res = await veche(['restore', '--no-service', archive], envFor(dataB), 'unshare', ['-m', 'sh', '-c', script, VECHE])
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /restored 4 recording files into/)
  for (const r of finished) {
    for (const name of [r.file, r.chatFile]) {
      t.match(res.stdout, `\n640 ${name}\n`, `${name} is mode 0640`)
      t.match(res.stdout, `\n${sha256(readFileSync(join(dataA, 'recordings', name)))}  ${name}\n`, `${name} is byte-identical`)
    }
  }
  t.notMatch(res.stdout, /\.restoring/, 'no temporary copy is left')
})
