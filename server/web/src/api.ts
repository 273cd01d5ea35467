// The REST client: every call to /api goes through request(), which turns failures into ApiError.
// The answers' types are the server's response schemas (server/routes/*-schemas.ts), imported as types
// only, as the meeting imports the signaling protocol: the bundle holds none of the server's code.
import type { InvitationBody, InvitationResult, InvitationUsage } from '../../routes/invitation-schemas.ts'
import type { LicenseInfo, LicenseKindReply } from '../../routes/license-schemas.ts'
import type { ListQuery, MeetingDetail, MeetingsPage, RangeQuery, UsageStatistics } from '../../routes/history-schemas.ts'
import type { RecordingsReply } from '../../routes/recording-schemas.ts'
import type { PublicRoomReply, RoomReply, RoomsReply } from '../../routes/room-schemas.ts'
import type { NewOwnerBody, NewRoomBody, NewUserBody, RoomSettingsBody, SignInBody } from '../../routes/schemas.ts'
import type { AuditPage, AuthMethods, Role, SetupStatusReply, User, UserReply, UsersReply } from '../../routes/user-schemas.ts'

export type { AuditEntry, AuthMethods, AuthSource, Role, User } from '../../routes/user-schemas.ts'
export type { LobbyMode, PublicRoom, RoomSummary } from '../../routes/room-schemas.ts'
export type { RecordingSummary } from '../../routes/recording-schemas.ts'
export type { LicenseInfo, LicenseKind, LicenseStatus } from '../../routes/license-schemas.ts'
export type { InvitationBody, InvitationQuota, InvitationResult, InvitationUsage } from '../../routes/invitation-schemas.ts'
export type { MeetingChatLine, MeetingRecord, MeetingStay, UsageDay, UsageStatistics } from '../../routes/history-schemas.ts'

/** An account as owners and admins see it in GET /api/users: the same fields as everyone's own. */
export type ManagedUser = User

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
      // Every state change says it is JSON, even without a body: the server refuses any other
      // (server/plugins/same-origin.ts), since another site's page cannot send JSON here.
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
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
  setupStatus: (signal?: AbortSignal) => request<SetupStatusReply>('GET', '/api/setup/status', undefined, signal),
  createOwner: (body: NewOwnerBody) => request<UserReply>('POST', '/api/setup/owner', body),

  signIn: (body: SignInBody) => request<UserReply>('POST', '/api/auth/signin', body),
  signOut: () => request<void>('POST', '/api/auth/signout'),
  me: (signal?: AbortSignal) => request<UserReply>('GET', '/api/auth/me', undefined, signal),

  listUsers: (signal?: AbortSignal) => request<UsersReply>('GET', '/api/users', undefined, signal),
  createUser: (body: NewUserBody) => request<UserReply>('POST', '/api/users', body),

  listRooms: (signal?: AbortSignal) => request<RoomsReply>('GET', '/api/rooms', undefined, signal),
  createRoom: (body: NewRoomBody) => request<RoomReply>('POST', '/api/rooms', body),
  /** updateRoom sets the lobby mode and PIN (null removes it; absent keeps it); the creator only. */
  updateRoom: (id: string, body: RoomSettingsBody) => request<RoomReply>('PATCH', `/api/rooms/${encodeURIComponent(id)}`, body),
  deleteRoom: (id: string) => request<void>('DELETE', `/api/rooms/${encodeURIComponent(id)}`),
  license: (signal?: AbortSignal) => request<LicenseInfo>('GET', '/api/license', undefined, signal),
  licenseKind: (signal?: AbortSignal) => request<LicenseKindReply>('GET', '/api/license/kind', undefined, signal),
  activateLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/activate', { key }),
  renewLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/renew', { key }),

  listRecordings: (signal?: AbortSignal) => request<RecordingsReply>('GET', '/api/recordings', undefined, signal),
  deleteRecording: (id: string) => request<void>('DELETE', `/api/recordings/${encodeURIComponent(id)}`),

  getRoom: (id: string, signal?: AbortSignal) =>
    request<PublicRoomReply>('GET', `/api/rooms/${encodeURIComponent(id)}`, undefined, signal),
}

/** E-mail invitations (invite/): how much of the daily limits is left, and sending one. */
export const invitationsApi = {
  usage: (signal?: AbortSignal) => request<InvitationUsage>('GET', '/api/invitations/usage', undefined, signal),
  send: (roomId: string, body: InvitationBody) =>
    request<InvitationResult>('POST', `/api/rooms/${encodeURIComponent(roomId)}/invitations`, body),
}

// ---- Account administration and the audit log (owners and admins) ----

const userPath = (id: string, rest = '') => `/api/users/${encodeURIComponent(id)}${rest}`

export const adminApi = {
  listUsers: (signal?: AbortSignal) => request<UsersReply>('GET', '/api/users', undefined, signal),
  /** setRole: owners only; the last owner who can sign in keeps the role. */
  setRole: (id: string, role: Role) => request<UserReply>('PATCH', userPath(id), { role }),
  block: (id: string) => request<UserReply>('POST', userPath(id, '/block')),
  unblock: (id: string) => request<UserReply>('POST', userPath(id, '/unblock')),
  /** resetPassword: local accounts only; signs the user out everywhere. */
  resetPassword: (id: string, password: string) => request<UserReply>('POST', userPath(id, '/password'), { password }),
  /** deleteUser deletes the account and anonymises the user's name wherever it was kept. */
  deleteUser: (id: string) => request<void>('DELETE', userPath(id)),
  /** audit: owners only; newest first, `next` is the `before` of the following page (null: no more). */
  audit: (options: { before?: number; limit?: number } = {}, signal?: AbortSignal) => {
    const query = new URLSearchParams()
    if (options.before !== undefined) query.set('before', String(options.before))
    if (options.limit !== undefined) query.set('limit', String(options.limit))
    const qs = query.toString()
    return request<AuditPage>('GET', `/api/audit${qs ? `?${qs}` : ''}`, undefined, signal)
  },
}

// ---- Meeting history and usage statistics (owners) ----

/** A range for the history API: dates (YYYY-MM-DD, UTC) or times with zone; `to` includes its day. */
export type HistoryRange = RangeQuery

const historyQuery = (params: Record<string, string | number | undefined>): string => {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value))
  const qs = query.toString()
  return qs ? `?${qs}` : ''
}

export const historyApi = {
  listMeetings: (range: ListQuery, signal?: AbortSignal) =>
    request<MeetingsPage>('GET', `/api/meetings${historyQuery({ ...range })}`, undefined, signal),
  getMeeting: (id: string, signal?: AbortSignal) =>
    request<MeetingDetail>('GET', `/api/meetings/${encodeURIComponent(id)}`, undefined, signal),
  /** exportUrl is a download link (the browser sends the session cookie). */
  exportUrl: (format: 'csv' | 'json', range: HistoryRange) => `/api/meetings/export.${format}${historyQuery({ ...range })}`,
  statistics: (range: HistoryRange, signal?: AbortSignal) =>
    request<UsageStatistics>('GET', `/api/statistics${historyQuery({ ...range })}`, undefined, signal),
}

// ---- Sign-in methods: corporate sign-in (OpenID Connect) and directory logins ----

export const signInApi = {
  methods: (signal?: AbortSignal) => request<AuthMethods>('GET', '/api/auth/methods', undefined, signal),
  /** oidcStartUrl is where the corporate sign-in button leads: a navigation to the provider, not a fetch. */
  oidcStartUrl: (next: string) => `/api/auth/oidc/start?next=${encodeURIComponent(next)}`,
}
