// The media ports (media.port + worker index, UDP and TCP) are free, or held by Veche itself:
// a worker that cannot bind its port stops the server from starting.
import { availableParallelism } from 'node:os'
import type { Check } from '../check.ts'
import { runningServerVersion } from '../running-server.ts'
import { tryBind, type Protocol } from '../port-probe.ts'

const PROTOCOLS: Protocol[] = ['udp', 'tcp']

export const mediaPortCheck: Check = {
  name: 'media-port',
  title: 'Media ports',
  async run(ctx) {
    const config = ctx.config()
    const { port, listenIp } = config.media
    if (port === 0) return { status: 'ok', message: 'media.port is 0: each worker takes any free port' }
    // The same count the server starts (server/plugins/sfu.ts).
    const workers = config.media.workers || availableParallelism()
    const last = port + workers - 1
    if (last > 65535) return { status: 'error', message: `media.port ${port} + ${workers} workers runs past port 65535: lower media.port or media.workers` }
    const range = workers === 1 ? `${port}` : `${port}-${last}`

    const taken: { protocol: Protocol; port: number }[] = []
    for (let p = port; p <= last; p++) {
      for (const protocol of PROTOCOLS) {
        const err = await tryBind(protocol, listenIp, p)
        if (!err) continue
        if (err.code === 'EADDRINUSE') taken.push({ protocol, port: p })
        else if (err.code === 'EADDRNOTAVAIL') return { status: 'error', message: `media.listenIp ${listenIp} is not an address of this machine: set media.listenIp (0.0.0.0: every address)` }
        else if (err.code === 'EACCES') return { status: 'error', message: `port ${p} needs privileges this user lacks: set media.port to 1024 or above` }
        else return { status: 'error', message: `cannot bind ${protocol.toUpperCase()} ${listenIp}:${p} (${err.message}): set media.port or media.listenIp` }
      }
    }
    if (!taken.length) return { status: 'ok', message: `UDP+TCP ${listenIp}:${range} free (${workers} worker${workers === 1 ? '' : 's'})` }

    const running = await runningServerVersion(config)
    if (running !== undefined) return { status: 'ok', message: `UDP+TCP ${listenIp}:${range} in use by the running server (Veche ${running})` }
    const held = taken.map((t) => `${t.protocol.toUpperCase()} ${t.port}`).join(', ')
    const first = taken[0]!
    const ss = `ss -l${first.protocol === 'udp' ? 'u' : 't'}np sport = :${first.port}`
    return { status: 'error', message: `media port ${held} on ${listenIp}: another program holds it: find it with \`${ss}\`, or set media.port` }
  },
}
