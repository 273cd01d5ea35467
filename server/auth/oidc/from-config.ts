// Builds the OpenID Connect client from the `oidc` config section, refusing at start a section that
// cannot work, with the key to fix named.
import type { Config } from '../../../config/schema.ts'
import { createOidcClient, type OidcClient } from './client.ts'
import { checkProviderUrl } from './discovery.ts'
import { createFetch, trustedCas } from './http.ts'

/**
 * oidcClientFromConfig returns the client, or null when oidc.issuer is empty (SSO off). Throws when
 * the section is incomplete or the CA file unreadable.
 */
export function oidcClientFromConfig(oidc: Config['oidc']): OidcClient | null {
  if (oidc.issuer === '') return null
  checkProviderUrl(oidc.issuer, 'oidc.issuer')
  if (oidc.clientId === '') throw new Error('oidc.clientId is empty: set the client ID registered for Veche at the provider')
  if (oidc.clientSecret === '') throw new Error('oidc.clientSecret is empty: set the secret of oidc.clientId')
  if (!oidc.scopes.includes('openid')) throw new Error(`oidc.scopes must include openid, got ${oidc.scopes.join(', ')}`)
  if (oidc.redirectUrl !== '') checkProviderUrl(oidc.redirectUrl, 'oidc.redirectUrl')
  return createOidcClient({
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    scopes: oidc.scopes,
    fetch: createFetch(trustedCas(oidc.caFile)),
  })
}
