// What the license includes, as far as the navigation needs to know: asked once, then remembered
// for a minute so moving between pages costs no request.
import { api } from './api.ts'

const rememberMs = 60_000
let cached: { at: number; features: Promise<string[]> } | null = null

/** licensedFeatures resolves to the license's features (empty when none or unreachable). */
export function licensedFeatures(): Promise<string[]> {
  if (!cached || Date.now() - cached.at > rememberMs) {
    cached = { at: Date.now(), features: api.license().then((l) => (l.status === 'active' ? l.features : []), () => []) }
  }
  return cached.features
}
