// Owns what the client knows about the signed-in user and whether the appliance still needs an owner.
import { api, ApiError, type User } from './api.ts'

let currentUser: User | null | undefined
let needsOwner: boolean | undefined

/** currentUserOrNull returns the signed-in user, asking the server once; null when signed out. */
export async function currentUserOrNull(signal?: AbortSignal): Promise<User | null> {
  if (currentUser !== undefined) return currentUser
  try {
    currentUser = (await api.me(signal)).user
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) currentUser = null
    else throw error
  }
  return currentUser
}

/** setCurrentUser records the user after sign-in or setup, or null after sign-out or expiry. */
export function setCurrentUser(user: User | null): void {
  currentUser = user
}

/** appNeedsOwner asks the server whether first-run setup is still pending (cached once it is done). */
export async function appNeedsOwner(signal?: AbortSignal): Promise<boolean> {
  if (needsOwner === false) return false
  needsOwner = (await api.setupStatus(signal)).needsOwner
  return needsOwner
}

/** markOwnerCreated records that setup finished, so no further status request is needed. */
export function markOwnerCreated(): void {
  needsOwner = false
}

/** isManager tells whether a user may manage the workspace's accounts. */
export function isManager(user: User | null): boolean {
  return user?.role === 'owner' || user?.role === 'admin'
}
