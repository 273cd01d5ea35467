// Tells the sign-in page how employees may sign in: what the login field takes, and whether a
// corporate (OpenID Connect) sign-in button is offered. Public: asked before anyone signs in.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config/schema.ts'
import { refuseFeature } from '../license/policy.ts'

export interface AuthMethodsOptions {
  /** A directory (LDAP) signs users in by user name as well as e-mail. */
  ldapEnabled: boolean
  oidc: Pick<Config['oidc'], 'issuer' | 'displayName'>
}

export interface AuthMethods {
  login: 'email' | 'email_or_username'
  /** null: no SSO button (not configured, or not in the license). name '' asks for the generic label. */
  oidc: { name: string } | null
}

export default async function authMethodsRoutes(app: FastifyInstance, { ldapEnabled, oidc }: AuthMethodsOptions): Promise<void> {
  app.get('/api/auth/methods', async (): Promise<AuthMethods> => {
    const offered = oidc.issuer !== '' && !refuseFeature(app.license.state, 'sso')
    return { login: ldapEnabled ? 'email_or_username' : 'email', oidc: offered ? { name: oidc.displayName } : null }
  })
}
