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
/** commercial: a sold key; evaluation: the vendor's trial key; development: `veche serve --dev`. */
export type LicenseKind = 'commercial' | 'evaluation' | 'development'

export interface LicenseInfo {
  status: LicenseStatus
  kind?: LicenseKind | null
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
  licenseKind: (signal?: AbortSignal) => request<{ kind: LicenseKind | null }>('GET', '/api/license/kind', undefined, signal),
  activateLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/activate', { key }),
  renewLicense: (key: string) => request<LicenseInfo>('POST', '/api/license/renew', { key }),

  listRecordings: (signal?: AbortSignal) => request<{ recordings: RecordingSummary[] }>('GET', '/api/recordings', undefined, signal),
  deleteRecording: (id: string) => request<void>('DELETE', `/api/recordings/${encodeURIComponent(id)}`),

  getRoom: (id: string, signal?: AbortSignal) =>
    request<{ room: PublicRoom }>('GET', `/api/rooms/${encodeURIComponent(id)}`, undefined, signal),
}

/** E-mail invitations (invite/): how much of the daily limits is left, and sending one. */
export interface InvitationQuota {
  sent: number
  limit: number
  /** Unix milliseconds when one more recipient may be invited; null: now. */
  freesAt: number | null
}

export interface InvitationUsage {
  user: InvitationQuota
  workspace: InvitationQuota
  maxRecipients: number
}

export interface InvitationBody {
  recipients: string[]
  /** ISO 8601; absent: no calendar event. */
  scheduledAt?: string
  durationMinutes?: number
  message?: string
  lang?: 'en' | 'ru'
  /** IANA zone the e-mail shows times in. */
  timeZone?: string
}

export interface InvitationResult {
  sent: number
  results: { recipient: string; status: 'sent' | 'refused' | 'failed'; reason?: string }[]
}

export const invitationsApi = {
  usage: (signal?: AbortSignal) => request<InvitationUsage>('GET', '/api/invitations/usage', undefined, signal),
  send: (roomId: string, body: InvitationBody) =>
    request<InvitationResult>('POST', `/api/rooms/${encodeURIComponent(roomId)}/invitations`, body),
}

// ---- Account administration and the audit log (owners and admins) ----

/** Where a user proves who they are: a password kept by Veche, or a corporate directory. */
export type AuthSource = 'local' | 'ldap' | 'oidc'

/** GET /api/users: an account as owners and admins see it. */
export interface ManagedUser extends User {
  authSource: AuthSource
  /** Unix milliseconds; null: may sign in. */
  blockedAt: number | null
  createdAt: number
}

/** GET /api/audit: who did what to whom; names of deleted users are replaced by an anonymous label. */
export interface AuditEntry {
  id: number
  /** Unix milliseconds. */
  at: number
  /** null: the server itself or the console (actorName 'system' or 'cli'). */
  actorId: string | null
  actorName: string
  action: string
  targetId: string | null
  targetName: string | null
  detail: Record<string, unknown>
}

const userPath = (id: string, rest = '') => `/api/users/${encodeURIComponent(id)}${rest}`

export const adminApi = {
  listUsers: (signal?: AbortSignal) => request<{ users: ManagedUser[] }>('GET', '/api/users', undefined, signal),
  /** setRole: owners only; the last owner who can sign in keeps the role. */
  setRole: (id: string, role: Role) => request<{ user: ManagedUser }>('PATCH', userPath(id), { role }),
  block: (id: string) => request<{ user: ManagedUser }>('POST', userPath(id, '/block')),
  unblock: (id: string) => request<{ user: ManagedUser }>('POST', userPath(id, '/unblock')),
  /** resetPassword: local accounts only; signs the user out everywhere. */
  resetPassword: (id: string, password: string) => request<{ user: ManagedUser }>('POST', userPath(id, '/password'), { password }),
  /** deleteUser deletes the account and anonymises the user's name wherever it was kept. */
  deleteUser: (id: string) => request<void>('DELETE', userPath(id)),
  /** audit: owners only; newest first, `next` is the `before` of the following page (null: no more). */
  audit: (options: { before?: number; limit?: number } = {}, signal?: AbortSignal) => {
    const query = new URLSearchParams()
    if (options.before !== undefined) query.set('before', String(options.before))
    if (options.limit !== undefined) query.set('limit', String(options.limit))
    const qs = query.toString()
    return request<{ entries: AuditEntry[]; next: number | null }>('GET', `/api/audit${qs ? `?${qs}` : ''}`, undefined, signal)
  },
}

// ---- Meeting history and usage statistics (owners) ----

/** GET /api/meetings: one meeting that ran on this server. Times are Unix milliseconds. */
export interface MeetingRecord {
  id: number
  roomId: string
  roomTitle: string
  startedAt: number
  /** null while it runs. */
  endedAt: number | null
  durationMs: number
  /** People who took part (someone who came back counts once). */
  participants: number
}

/** One stay of one person in a meeting, with where they connected from. */
export interface MeetingStay {
  id: number
  userId: string | null
  displayName: string
  kind: 'internal' | 'guest'
  joinedAt: number
  leftAt: number | null
  durationMs: number
  browser: string | null
  os: string | null
  userAgent: string | null
  address: string | null
  viaProxy: boolean
  forwardedFor: string | null
}

export interface MeetingChatLine {
  participantId: number | null
  senderName: string
  text: string
  sentAt: number
}

/** GET /api/statistics: one UTC day. */
export interface UsageDay {
  day: string
  meetings: number
  participantMinutes: number
  peakRooms: number
  peakParticipants: number
  peakMeetingParticipants: number
}

export interface UsageStatistics {
  from: string
  to: string
  days: UsageDay[]
  totals: Omit<UsageDay, 'day'>
  /** What the license allows at once; null without a license. */
  limits: { rooms: number; participantsPerRoom: number } | null
}

/** A range for the history API: dates (YYYY-MM-DD, UTC) or times with zone; `to` includes its day. */
export interface HistoryRange {
  from?: string
  to?: string
}

const historyQuery = (params: Record<string, string | number | undefined>): string => {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value))
  const qs = query.toString()
  return qs ? `?${qs}` : ''
}

export const historyApi = {
  listMeetings: (range: HistoryRange & { before?: number; limit?: number }, signal?: AbortSignal) =>
    request<{ meetings: MeetingRecord[]; next: number | null; retentionDays: number }>('GET', `/api/meetings${historyQuery({ ...range })}`, undefined, signal),
  getMeeting: (id: string, signal?: AbortSignal) =>
    request<{ meeting: MeetingRecord; participants: MeetingStay[]; chat: MeetingChatLine[] }>('GET', `/api/meetings/${encodeURIComponent(id)}`, undefined, signal),
  /** exportUrl is a download link (the browser sends the session cookie). */
  exportUrl: (format: 'csv' | 'json', range: HistoryRange) => `/api/meetings/export.${format}${historyQuery({ ...range })}`,
  statistics: (range: HistoryRange, signal?: AbortSignal) =>
    request<UsageStatistics>('GET', `/api/statistics${historyQuery({ ...range })}`, undefined, signal),
}

// ---- Sign-in methods: corporate sign-in (OpenID Connect) and directory logins ----

/** GET /api/auth/methods: what the sign-in page offers. */
export interface AuthMethods {
  /** email_or_username: a directory (LDAP) also accepts its user names. */
  login: 'email' | 'email_or_username'
  /** null: no corporate sign-in button; name '' asks for the generic label. */
  oidc: { name: string } | null
}

export const signInApi = {
  methods: (signal?: AbortSignal) => request<AuthMethods>('GET', '/api/auth/methods', undefined, signal),
  /** oidcStartUrl is where the corporate sign-in button leads: a navigation to the provider, not a fetch. */
  oidcStartUrl: (next: string) => `/api/auth/oidc/start?next=${encodeURIComponent(next)}`,
}
