// Every answer carries the browser's protections, so no page of Veche can be framed by another site,
// sniffed into something else, or run script that is not the server's own bundle; the client's source
// map is not handed out.
import t from 'tap'
import Fastify from 'fastify'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WEB_ROOT } from '../../../server/app.ts'
import securityHeaders from '../../../server/plugins/security-headers.ts'
import webRoutes from '../../../server/routes/web.ts'
import { build, buildListening, createOwner, tempDir } from '../../helper.ts'
import { httpsCall } from '../../https-call.ts'

t.test('pages, API answers, static files, errors and 404s all carry the security headers', async (t) => {
  const { app, port } = await buildListening(t)
  const owner = await createOwner(app)
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) => httpsCall(port, method, path, headers, body)

  const answers = {
    page: await get('/'),
    'room page': await get('/r/abc'),
    bundle: await get('/app.js'),
    styles: await get('/styles.css'),
    'ca.crt': await get('/ca.crt'),
    healthz: await get('/healthz'),
    'api read': await get('/api/rooms', { cookie: owner }),
    'api 401': await get('/api/rooms'),
    'api 404': await get('/api/nothing'),
    'bad request': await get('/api/auth/signin', { 'content-type': 'application/json' }, 'POST', '{'),
    'refused origin': await get('/api/auth/signout', { origin: 'https://wiki.corp.example' }, 'POST'),
    'missing file': await get('/old-bundle.js'),
  }
  for (const [what, res] of Object.entries(answers)) {
    const header = (name: string): string => String(res.headers[name] ?? '')
    const csp = header('content-security-policy')
    t.match(csp, /(^|; )script-src 'self'(;|$)/, `${what} (${res.status}): scripts only from the server`)
    t.notMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: nothing inline`)
    t.match(csp, /frame-ancestors 'none'/, `${what}: never framed`)
    t.match(csp, new RegExp(`connect-src 'self' wss://127\\.0\\.0\\.1:${port}(;|$)`), `${what}: signaling allowed on this host only`)
    t.equal(header('x-frame-options'), 'DENY', `${what}: X-Frame-Options`)
    t.equal(header('x-content-type-options'), 'nosniff', `${what}: nosniff`)
    t.equal(header('referrer-policy'), 'same-origin', `${what}: Referrer-Policy`)
    t.match(header('strict-transport-security'), /^max-age=\d{7,}$/, `${what}: HSTS over https`)
    const permissions = header('permissions-policy')
    for (const feature of ['camera', 'microphone', 'display-capture']) {
      t.match(permissions, `${feature}=(self)`, `${what}: ${feature} stays allowed here`)
    }
    t.match(permissions, 'geolocation=()', `${what}: what a meeting never needs is off`)
  }
  t.equal(answers.page.status, 200)
  t.match(answers.page.text, '<script type="module" src="/app.js"></script>', 'the page loads its one bundle')
  t.equal(answers['missing file'].status, 404, 'a missing file is not answered with the page')

  // The source map is not served, whether or not it was built.
  const map = await get('/app.js.map')
  t.equal(map.status, 404)
  t.notMatch(map.text, /sourcesContent/)
})

t.test('no HSTS over plain http (the app behind inject); the headers are still there', async (t) => {
  const app = await build(t)
  const res = await app.inject('/healthz')
  t.equal(res.headers['strict-transport-security'], undefined)
  t.equal(res.headers['x-frame-options'], 'DENY')
})

t.test('a source map lying in the web folder is never served', async (t) => {
  t.ok(WEB_ROOT, 'the real app serves the built client from server/web/dist')
  const root = join(tempDir(t), 'dist')
  mkdirSync(root)
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Veche</title>')
  writeFileSync(join(root, 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map')
  writeFileSync(join(root, 'app.js.map'), '{"version":3,"sourcesContent":["secret comments"]}')
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(securityHeaders)
  await app.register(webRoutes, { root })
  t.equal((await app.inject('/app.js')).statusCode, 200)
  const map = await app.inject('/app.js.map')
  t.equal(map.statusCode, 404)
  t.notMatch(map.body, /secret comments/)
})
