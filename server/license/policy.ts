// What the license allows where users meet it: meetings at all, simultaneous rooms, participants
// per room, internal users. Each refusal names the limit.
import type { Feature } from '../../license-keys/claims.ts'
import type { LicenseState } from './evaluate.ts'

export interface Refusal {
  code: 'license_required' | 'room_limit' | 'room_full' | 'user_limit' | 'feature_unlicensed'
  message: string
  /** The limit that refused, for clients that word the message themselves. */
  limit?: number
}
export type MeetingRefusal = Refusal & { code: 'license_required' | 'room_limit' | 'room_full' }

/** What every report of a development license (readyz, logs, the CLI) says about it. */
export const DEVELOPMENT_NOTE = 'development license (veche serve --dev, signed with the public test keys): not for production'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** refuseMeeting says why a meeting may not run now, or undefined when it may. */
export function refuseMeeting(state: LicenseState): MeetingRefusal | undefined {
  if (state.status === 'active' && state.claims) return undefined
  return { code: 'license_required', message: `meetings are unavailable: ${state.problem?.message ?? 'no valid license'}` }
}

/** refuseNewRoom: opening one more simultaneous meeting when `liveRooms` already run. */
export function refuseNewRoom(state: LicenseState, liveRooms: number): MeetingRefusal | undefined {
  const refused = refuseMeeting(state)
  if (refused) return refused
  const max = state.claims!.limits.rooms
  if (liveRooms < max) return undefined
  return {
    code: 'room_limit',
    limit: max,
    message: `the license allows ${plural(max, 'simultaneous meeting')} and all are in use: try again when one ends, or ask the vendor for a larger plan`,
  }
}

/** refuseParticipant: one more person joining a meeting that has `participants` already. */
export function refuseParticipant(state: LicenseState, participants: number): MeetingRefusal | undefined {
  const refused = refuseMeeting(state)
  if (refused) return refused
  const max = state.claims!.limits.participantsPerRoom
  if (participants < max) return undefined
  return { code: 'room_full', limit: max, message: `this meeting is full: the license allows ${plural(max, 'participant')} per meeting` }
}

/** refuseNewUser: creating one more internal user when the workspace has `users`. */
export function refuseNewUser(state: LicenseState, users: number): Refusal | undefined {
  if (state.status === 'unlicensed' || !state.claims) {
    return { code: 'license_required', message: `activate a license before adding users: ${state.problem?.message ?? ''}`.trim() }
  }
  const max = state.claims.limits.internalUsers
  if (users < max) return undefined
  return { code: 'user_limit', limit: max, message: `the license allows ${plural(max, 'internal user')} and the workspace has ${users}: ask the vendor for a larger plan` }
}

/** refuseFeature: using a feature (recording, streaming, sso, sip) the license may not include. */
export function refuseFeature(state: LicenseState, feature: Feature): Refusal | undefined {
  const refused = refuseMeeting(state)
  if (refused) return refused
  if (state.claims!.features.includes(feature)) return undefined
  return { code: 'feature_unlicensed', message: `the license does not include ${feature}: ask the vendor for a plan with it` }
}
