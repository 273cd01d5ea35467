// The appliance's activation client against servers that answer what no activation service does: a
// misconfigured activationUrl pointing at a file server, or a hostile one.
import t, { type Test } from 'tap'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { requestActivation } from '../../license-keys/activation-client.ts'
import { LicenseError } from '../../license-keys/errors.ts'
import { activationRequest } from '../fixtures/vendor-keys.ts'

/** serve answers every request with `answer` on a loopback port and returns its URL. */
async function serve(t: Test, answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    answer(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('an answer larger than any activation answer is refused without reading it all', async (t) => {
  let written = 0
  const total = 200 * 1024 * 1024
  const url = await serve(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (written < total) {
        written += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      res.end()
    }
    res.on('close', () => (written = Math.min(written, total)))
    pump()
  })
  await t.rejects(requestActivation(url, activationRequest('x.y.z', 'meet-a')), {
    constructor: LicenseError,
    code: 'activation_failed',
    message: `the activation service at ${url} answered more than 16 KiB (HTTP 200), which no activation answer is: is activationUrl right?`,
  })
  t.ok(written < total / 10, `stopped reading early (${written} bytes sent of ${total})`)

  const declared = await serve(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) })
    res.end()
  })
  await t.rejects(requestActivation(declared, activationRequest('x.y.z', 'meet-a')), { code: 'activation_failed', message: /answered more than 16 KiB/ })
})

t.test("a refusal's message is shown as one line of text, at most 1000 characters", async (t) => {
  const url = await serve(t, (res) => {
    res.writeHead(403, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'revoked', message: `revoked\u001b[2J\n${'!'.repeat(5000)}` } }))
  })
  const err = (await requestActivation(url, activationRequest('x.y.z', 'meet-a')).catch((e: unknown) => e)) as LicenseError
  t.equal(err.code, 'activation_failed')
  t.match(err.message, /^the vendor refused the activation: revoked \[2J !+$/)
  t.equal(err.message.length, 'the vendor refused the activation: '.length + 1000)
  const nullBody = await serve(t, (res) => {
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end('null')
  })
  await t.rejects(requestActivation(nullBody, activationRequest('x.y.z', 'meet-a')), { code: 'activation_failed', message: 'the vendor refused the activation: HTTP 500' })
})
