// Tries to bind a port the way a media worker would, and lets go of it at once.
import { createSocket } from 'node:dgram'
import { createServer, isIPv6 } from 'node:net'

export type Protocol = 'udp' | 'tcp'

/** tryBind resolves undefined when `ip:port` could be bound, else with the bind error (EADDRINUSE, ...). */
export function tryBind(protocol: Protocol, ip: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    if (protocol === 'udp') {
      const socket = createSocket(isIPv6(ip) ? 'udp6' : 'udp4')
      socket.once('error', (err) => {
        try {
          socket.close()
        } catch {
          // A socket that never bound may already count as closed.
        }
        done(err)
      })
      socket.bind({ address: ip, port, exclusive: true }, () => socket.close(() => done(undefined)))
    } else {
      const server = createServer()
      server.once('error', (err) => done(err))
      server.listen({ host: ip, port, exclusive: true }, () => server.close(() => done(undefined)))
    }
  })
}
