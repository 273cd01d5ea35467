// Holds the REST contract at startup: every /api route declares its answers' schemas (server/routes/
// *-schemas.ts), so Fastify serialises from them and a field no schema names never leaves the server.
// The table of registered routes it keeps is what test/server/routes/rest-contract.test.ts checks further.
import fp from 'fastify-plugin'
import type { FastifySchema, RouteOptions } from 'fastify'

export interface RegisteredRoute {
  method: string
  url: string
  websocket: boolean
  schema: FastifySchema | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (HEAD twins left out), in registration order. */
    restRoutes: readonly RegisteredRoute[]
  }
}

export default fp(
  async (app) => {
    const routes: RegisteredRoute[] = []
    app.decorate('restRoutes', routes)
    app.addHook('onRoute', (route: RouteOptions & { websocket?: boolean }) => {
      const methods = ([] as string[]).concat(route.method).filter((m) => m !== 'HEAD')
      for (const method of methods) {
        const entry = { method, url: route.url, websocket: route.websocket === true, schema: route.schema }
        routes.push(entry)
        // A WebSocket's messages have their own protocol (server/signaling/protocol.ts), checked per message.
        if (entry.url.startsWith('/api/') && !entry.websocket && !entry.schema?.response) {
          throw new Error(
            `${method} ${entry.url} declares no response schema: add schema.response (replies() in server/routes/common-schemas.ts ` +
              'with the schemas of its answers), so the serializer sends only the fields the contract names',
          )
        }
      }
    })
  },
  { name: 'rest-contract' },
)
