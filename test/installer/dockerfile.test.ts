// Docker cannot build here, so the Dockerfile is checked by parsing it: the rules a linter such as
// hadolint would enforce for this image, and that it builds through the same installer as a server.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { DockerfileParser } from 'dockerfile-ast'
import { ROOT } from '../server-process.ts'

const dockerfile = DockerfileParser.parse(readFileSync(`${ROOT}Dockerfile`, 'utf8'))
const instructions = dockerfile.getInstructions()
const args = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '')

t.test('multi-stage, on a pinned slim Debian base', async (t) => {
  const froms = args('FROM')
  t.ok(froms.length >= 2, 'at least two stages')
  for (const from of froms) t.match(from, /^debian:bookworm-slim( AS \w+)?$/i, `${from}: pinned Debian 12 slim, never latest`)
})

t.test('the final stage runs the shared installer, as a non-root user, with data in a volume', async (t) => {
  const finalStage = instructions.slice(instructions.findLastIndex((i) => i.getKeyword() === 'FROM'))
  const runs = finalStage.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '')
  t.ok(runs.some((r) => r.includes('installer/install.sh --docker')), 'built by installer/install.sh, like a server')
  for (const r of runs.filter((r) => r.includes('apt-get update'))) t.match(r, /rm -rf[^&]*\/var\/lib\/apt\/lists/, 'apt lists removed in the same layer')
  const user = finalStage.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent())
  t.same(user, ['veche'], 'runs as veche, not root')
  t.same(args('VOLUME'), ['["/var/lib/veche"]'])
  t.match(args('EXPOSE').join(' '), /8443\/tcp/)
  t.match(args('HEALTHCHECK').join(' '), /veche", "health"/)
  t.match(args('CMD').join(' '), /veche", "serve"/)
  t.same(args('ADD'), [], 'no ADD (nothing fetched from URLs)')
  t.notOk(runs.some((r) => /curl|wget/.test(r)), 'nothing is downloaded while building')
})
