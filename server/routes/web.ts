// Serves the built browser client; client-side routes get index.html.
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import { existsSync } from 'node:fs'
import { sendError } from '../http-errors.ts'

export interface WebRoutesOptions {
  root: string
}

export default async function webRoutes(app: FastifyInstance, { root }: WebRoutesOptions): Promise<void> {
  const built = existsSync(`${root}/index.html`)
  if (built) {
    // Bundle names are fixed, so browsers must revalidate (cheap, with ETag) or keep an old client after an update.
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res) => res.header('cache-control', 'no-cache'),
      // A source map (built only with --sourcemap) hands out the client's source and comments: never served.
      allowedPath: (pathName) => !pathName.endsWith('.map'),
    })
  }
  app.setNotFoundHandler((request, reply) => {
    // A name with an extension is a file (a source map, an old bundle): 404, never the page in its stead.
    const path = request.url.split('?')[0]!
    const wantsPage = request.method === 'GET' && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path)
    if (!wantsPage) return sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url}`)
    if (!built) return reply.code(503).type('text/plain').send('The web client is not built: run ./setup (or npm run build:web).')
    return reply.header('cache-control', 'no-cache').sendFile('index.html')
  })
}
