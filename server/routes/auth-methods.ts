// Tells the sign-in page how employees may sign in: what the login field takes, and whether a
// corporate (OpenID Connect) sign-in button is offered. Public: asked before anyone signs in.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { refuseFeature } from '../license/policy.ts'
import { replies } from './common-schemas.ts'
import { AuthMethods } from './user-schemas.ts'

export interface AuthMethodsOptions {
  /** A directory (LDAP) signs users in by user name as well as e-mail. */
  ldapEnabled: boolean
  oidc: Pick<Config['oidc'], 'issuer' | 'displayName'>
}

export default async function authMethodsRoutes(app: FastifyInstance, { ldapEnabled, oidc }: AuthMethodsOptions): Promise<void> {
  app.get('/api/auth/methods', { schema: { response: replies({ 200: AuthMethods }) } }, async (): Promise<AuthMethods> => {
    // oidc null: no SSO button (not configured, or not in the license).
    const offered = oidc.issuer !== '' && !refuseFeature(app.license.state, 'sso')
    return { login: ldapEnabled ? 'email_or_username' : 'email', oidc: offered ? { name: oidc.displayName } : null }
  })
}
