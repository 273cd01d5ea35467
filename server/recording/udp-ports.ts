// Local UDP ports for ffmpeg's RTP inputs. ffmpeg binds them itself (RTP on an even port, RTCP on
// the next), so we can only pick ports that look free and notice, by reading /proc, when it holds them.
import { createSocket } from 'node:dgram'
import { readFile } from 'node:fs/promises'

function tryBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => resolve(false))
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)))
  })
}

// Below Linux's ephemeral range (32768+) so the kernel's own picks rarely collide with ours.
const LOW = 20_000
const HIGH = 32_000

/**
 * pickPortPairs returns `count` even ports P whose P and P+1 were free a moment ago. Another process
 * may still take one before ffmpeg binds it: the caller retries with fresh ports when ffmpeg says so.
 */
export async function pickPortPairs(count: number): Promise<number[]> {
  const ports: number[] = []
  for (let tries = 0; ports.length < count && tries < count * 50; tries++) {
    const port = LOW + 2 * Math.floor((Math.random() * (HIGH - LOW)) / 2)
    if (ports.includes(port)) continue
    if ((await tryBind(port)) && (await tryBind(port + 1))) ports.push(port)
  }
  if (ports.length < count) throw new Error(`no free UDP ports between ${LOW} and ${HIGH}`)
  return ports
}

async function boundUdpPorts(): Promise<Set<number>> {
  const ports = new Set<number>()
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1]
      if (local) ports.add(parseInt(local.split(':')[1] ?? '', 16))
    }
  }
  return ports
}

/** waitUntilBound resolves true once every port is bound, false if `isAlive` turns false or time runs out. */
export async function waitUntilBound(ports: number[], isAlive: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && isAlive()) {
    const bound = await boundUdpPorts()
    if (ports.every((p) => bound.has(p))) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}
