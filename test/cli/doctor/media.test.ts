// The checks of what carries media: the worker binary, and the media ports.
import t from 'tap'
import { createSocket } from 'node:dgram'
import { chmodSync, realpathSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { workerBin } from 'mediasoup'
import { mediaPortCheck } from '../../../cli/doctor/checks/media-port.ts'
import { workerCheck } from '../../../cli/doctor/checks/worker.ts'
import { startServer } from '../../server-process.ts'
import { canUseMountNamespace, check, contextWith, exec, inNamespace, isolated, lineOf, tempDir } from './fixtures/doctor.ts'

interface TestContext {
  teardown(fn: () => unknown): void
}

const NO_NAMESPACE = (await canUseMountNamespace()) ? false : 'needs root and unshare(1) to damage a library in a private mount namespace'
const REINSTALL = 'reinstall this release (in a development checkout `./setup` builds the worker)'

// ---- worker

t.test('worker: a binary that is not there fails and says how to get it back', async (t) => {
  const data = tempDir(t)
  const missing = join(data, 'no-such-worker')
  // MEDIASOUP_WORKER_BIN is mediasoup's own way to name the binary; the check runs what mediasoup would.
  const r = await check('worker', isolated(data), { MEDIASOUP_WORKER_BIN: missing })
  t.equal(r.code, 1)
  t.equal(r.message, `the media worker ${missing} is missing: ${REINSTALL}`)
})

t.test('worker: the real worker with a damaged libusrsctp names the package to reinstall', { skip: NO_NAMESPACE }, async (t) => {
  const ldd = await exec('ldd', [workerBin])
  const library = /libusrsctp\.so\.2 => (\S+)/.exec(ldd.stdout)?.[1]
  if (!library) return t.fail(`the worker does not link libusrsctp.so.2 here: ${ldd.stdout}`)
  // /dev/null over the library: the loader finds the file but cannot map it, like a truncated package.
  const r = lineOf(await inNamespace(`mount --bind /dev/null ${realpathSync(library)}`, ['--run', 'worker', '--json', ...isolated(tempDir(t))]), 'worker')
  t.equal(r.code, 1)
  t.match(r.message, /cannot load libusrsctp\.so\.2 \(file too short\): `apt-get install --reinstall libusrsctp2`$/)
})

t.test("worker: the loader's missing-library message maps to the Debian package; other failures quote stderr", async (t) => {
  const dir = tempDir(t)
  const script = (name: string, body: string): string => {
    const file = join(dir, name)
    writeFileSync(file, `#!/bin/sh\n${body}\n`)
    chmodSync(file, 0o755)
    return file
  }
  // What ld.so prints when libuv1 is not installed (a script: this machine's libraries stay installed).
  const noUv = script('no-uv', 'echo "$0: error while loading shared libraries: libuv.so.1: cannot open shared object file: No such file or directory" >&2; exit 127')
  const r = await workerCheck.run(contextWith(dir, [], { workerBin: noUv }), false)
  t.equal(r.status, 'error')
  t.match(r.message, /cannot load libuv\.so\.1 \(cannot open shared object file: No such file or directory\): `apt-get install libuv1`$/)

  const crashes = script('crashes', 'echo "Illegal instruction" >&2; exit 3')
  t.equal((await workerCheck.run(contextWith(dir, [], { workerBin: crashes }), false)).message, `the media worker ${crashes} exited with code 3 (Illegal instruction): ${REINSTALL}`)

  const plain = join(dir, 'plain')
  writeFileSync(plain, 'data')
  t.match((await workerCheck.run(contextWith(dir, [], { workerBin: plain }), false)).message, `is not executable: \`chmod 755 ${plain}\``)

  t.same(await workerCheck.run(contextWith(dir), false), { status: 'ok', message: `${workerBin} runs` }, 'the real worker runs')
})

// ---- media-port

async function holdUdp(t: TestContext): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => socket.close(done)))
  return socket.address().port
}

async function holdTcp(t: TestContext): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => server.close(() => done())))
  return (server.address() as AddressInfo).port
}

/** freePort returns a UDP port that was free a moment ago (its TCP twin almost surely is too). */
async function freePort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done))
  const { port } = socket.address()
  await new Promise<void>((done) => socket.close(done))
  return port
}

t.test('media-port: a port another program holds fails, naming the port and `ss`', async (t) => {
  const data = tempDir(t)
  const port = await holdUdp(t)
  const r = await check('media-port', isolated(data, [`media.port=${port}`]))
  t.equal(r.code, 1)
  t.equal(r.message, `media port UDP ${port} on 127.0.0.1: another program holds it: find it with \`ss -lunp sport = :${port}\`, or set media.port`)
})

t.test('media-port: TCP is probed too; free ports and port 0 pass', async (t) => {
  const data = tempDir(t)
  const tcp = await holdTcp(t)
  const r = await mediaPortCheck.run(contextWith(data, [`media.port=${tcp}`]), false)
  t.match(r.message, `media port TCP ${tcp} on 127.0.0.1: another program holds it: find it with \`ss -ltnp sport = :${tcp}\``)
  const free = await freePort()
  t.same(await mediaPortCheck.run(contextWith(data, [`media.port=${free}`]), false), { status: 'ok', message: `UDP+TCP 127.0.0.1:${free} free (1 worker)` })
  t.same(await mediaPortCheck.run(contextWith(data), false), { status: 'ok', message: 'media.port is 0: each worker takes any free port' })
})

t.test('media-port: ports held by the running Veche pass', async (t) => {
  const data = tempDir(t)
  const port = await freePort()
  const server = await startServer(t, data, [`media.port=${port}`, 'media.workers=1'])
  const r = await mediaPortCheck.run(contextWith(data, [`media.port=${port}`, `server.port=${new URL(server.url).port}`]), false)
  t.equal(r.status, 'ok', r.message)
  t.match(r.message, `UDP+TCP 127.0.0.1:${port} in use by the running server (Veche `)
})
