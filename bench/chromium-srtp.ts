// Which SRTP suite a real Chromium negotiates with Veche (DTLS-SRTP, RFC 5764): two pages in one
// meeting on the real server, and each peer connection's transport stats (srtpCipher, dtlsCipher,
// dtlsRole). The suite decides the media worker's cost per packet (bench/README.md, SRTP).
// Run: bin/veche-node bench/chromium-srtp.ts
import { joinFromLink, launchBrowser, mediaFlows, newMeetingContext, signIn } from '../test/browser.ts'
import { OWNER, VecheTarget } from './lib/targets/veche.ts'

interface TransportLine {
  page: string
  srtpCipher?: string
  dtlsCipher?: string
  dtlsRole?: string
  tlsVersion?: string
}

const server = await VecheTarget.start({ workers: 1 })
const teardowns: (() => unknown)[] = []
try {
  const browser = await launchBrowser({ teardown: (fn) => teardowns.push(fn) }, server.certPem)
  const room = await server.createRoom()
  const link = `${server.url}/r/${room}`
  const owner = await (await newMeetingContext(browser, 'en-US')).newPage()
  const guest = await (await newMeetingContext(browser, 'en-US')).newPage()
  await signIn(owner, server.url, OWNER.email, OWNER.password)
  await joinFromLink(owner, link)
  await joinFromLink(guest, link, 'Guest')
  await mediaFlows(guest)
  const lines: TransportLine[] = []
  for (const [name, page] of [['owner', owner], ['guest', guest]] as const) {
    const found = await page.evaluate(async () => {
      const pcs = (window as unknown as { __vechePcs: RTCPeerConnection[] }).__vechePcs ?? []
      const out: Record<string, string>[] = []
      for (const pc of pcs) {
        if (pc.connectionState !== 'connected') continue
        ;(await pc.getStats()).forEach((s: Record<string, string>) => {
          if (s.type === 'transport') out.push({ srtpCipher: s.srtpCipher!, dtlsCipher: s.dtlsCipher!, dtlsRole: s.dtlsRole!, tlsVersion: s.tlsVersion! })
        })
      }
      return out
    })
    for (const f of found) lines.push({ page: name, ...f })
  }
  for (const l of lines) process.stdout.write(`${l.page}: srtpCipher ${l.srtpCipher}, dtlsCipher ${l.dtlsCipher}, Chromium's DTLS role ${l.dtlsRole}\n`)
  process.stdout.write(`Chromium ${browser.version()}\n`)
} finally {
  for (const fn of teardowns.reverse()) await fn()
  await server.close()
}
process.exit(0)
