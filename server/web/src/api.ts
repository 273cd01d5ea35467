// The REST client: every call to /api goes through request(), which turns failures into ApiError.

export type Role = 'owner' | 'admin' | 'member'

export interface User {
  id: string
  email: string
  displayName: string
  role: Role
}

export interface RoomSummary {
  id: string
  title: string
  /** Unix milliseconds. */
  createdAt: number
  /** The absolute join link to hand to colleagues and guests. */
  url: string
  participants: number
  lobby: LobbyMode
  /** The room has a PIN for guests (never shown back). */
  pinSet: boolean
}

export type LobbyMode = 'off' | 'guests' | 'everyone'

export interface PublicRoom {
  id: string
  title: string
  /** Guests must enter the room's PIN. */
  pinRequired: boolean
  lobby: LobbyMode
}

/** GET /api/recordings: one recorded meeting. */
export interface RecordingSummary {
  id: string
  roomTitle: string
  startedBy: string
  /** Unix milliseconds. */
  startedAt: number
  endedAt: number | null
  durationMs: number | null
  sizeBytes: number | null
  status: 'recording' | 'ready' | 'partial' | 'failed'
  error: { code: string; message: string } | null
  fileUrl: string
  chatUrl: string
}

export type LicenseStatus = 'unlicensed' | 'active' | 'suspended' | 'invalid'

/** GET /api/license: members see status, problem and features; owners and admins see everything. */
export interface LicenseInfo {
  status: LicenseStatus
  problem: { code: string; message: string } | null
  features: string[]
  warnings?: { code: string; daysLeft: number; message: string }[]
  licenseId?: string | null
  licensee?: { name: string; taxId?: string } | null
  plan?: string | null
  limits?: { rooms: number; participantsPerRoom: number; internalUsers: number } | null
  usage?: { rooms: number; internalUsers: number }
  term?: 'perpetual' | 'subscription' | null
  /** Unix seconds. */
  termEnd?: number | null
  /** Unix seconds. */
  updatesUntil?: number | null
  activations?: number | null
  activation?: {
    activationId: string
    /** Unix seconds. */
    activatedAt: number
    fingerprintOk: boolean
    fingerprintChanged: string[]
  } | null
  version?: string
}

/**
 * ApiError is what every failed call throws. `code` is the server's stable error code, or `network`
 * when the server could not be reached at all, or `http_<status>` when the answer was not our JSON.
 */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, status: number, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
  }
}

/** isAbort tells a cancelled request (the user navigated away) from a real failure. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    })
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError('network', 0, error instanceof Error ? error.message : String(error))
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let parsed: unknown = undefined
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // Not JSON: a proxy's error page or a server crash. Reported by status below.
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`
    const message = typeof error?.message === 'string' ? error.message : response.statusText
    throw new ApiError(code, response.status, message)
  }
  return parsed as T
}

export const api = {
  setupStatus: (signal?: AbortSignal) => request<{ needsOwner: boolean }>('GET', '/api/setup/status', undefined, signal),
  createOwner: (body: { email: string; displayName: string; password: string }) =>
    request<{ user: User }>('POST', '/api/setup/owner', body),

  signIn: (body: { email: string; password: string }) => request<{ user: User }>('POST', '/api/auth/signin', body),
  signOut: () => request<void>('POST', '/api/auth/signout'),
  me: (signal?: AbortSignal) => request<{ user: User }>('GET', '/api/auth/me', undefined, signal),

  listUsers: (signal?: AbortSignal) => request<{ users: User[] }>('GET', '/api/users', undefined, signal),
  createUser: (body: { email: string; displayName: string; password: string; role: 'admin' | 'member' }) =>
    request<{ user: User }>('POST', '/api/users', body),

  listRooms: (signal?: AbortSignal) => request<{ rooms: RoomSummary[] }>('GET', '/api/rooms', undefined, signal),
  createRoom: (body: { title: string }) => request<{ room: RoomSummary }>('POST', '/api/rooms', body),
  /** updateRoom sets the lobby mode and PIN (null removes it; absent keeps it); the creator only. */
  updateRoom: (id: string, body: { lobby?: LobbyMode; pin?: string | null }) =>
    request<{ room: RoomSummary }>('PATCH', `/api/rooms/${encodeURIComponent(id)}`, body),
  deleteRoom: (id: string) => request<void>('DELETE', `/api/rooms/${encodeURIComponent(id)}`),
  license: (signal?: AbortSignal) => request<LicenseInfo>('GET', '/api/license', undefined, signal),
  activateLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/activate', { key }),
  renewLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/renew', { key }),

  listRecordings: (signal?: AbortSignal) => request<{ recordings: RecordingSummary[] }>('GET', '/api/recordings', undefined, signal),
  deleteRecording: (id: string) => request<void>('DELETE', `/api/recordings/${encodeURIComponent(id)}`),

  getRoom: (id: string, signal?: AbortSignal) =>
    request<{ room: PublicRoom }>('GET', `/api/rooms/${encodeURIComponent(id)}`, undefined, signal),
}
