// Owns the shape of Veche's configuration and every default. Imports nothing of ours.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'

const Section = <T extends Record<string, TSchema>>(properties: T): TObject<T> =>
  Type.Object(properties, { additionalProperties: false })

export const ConfigSchema = Type.Object(
  {
    server: Section({
      host: Type.String({ default: '0.0.0.0', description: 'Address the HTTPS listener binds.' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443, description: '0: any free port.' }),
      publicUrl: Type.String({
        default: '',
        description: 'Base URL employees open, e.g. https://meet.corp.example; empty: derived from the request.',
      }),
      trustedProxies: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description:
          'Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed for client addresses; empty: none.',
      }),
    }),
    tls: Section({
      certFile: Type.String({ default: '', description: 'PEM certificate chain; empty: use the local CA.' }),
      keyFile: Type.String({ default: '', description: 'PEM private key for certFile.' }),
      hostnames: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'Extra DNS names for the generated certificate.',
      }),
    }),
    data: Section({
      dir: Type.String({ minLength: 1, default: 'data', description: 'Database, certificates; relative to cwd.' }),
    }),
    database: Section({
      url: Type.String({
        default: '',
        pattern: '^$|^postgres(ql)?://',
        description: 'PostgreSQL server, postgres://veche@db.corp.example:5432/veche; empty: SQLite in the data folder.',
      }),
      password: Type.String({ default: '', secret: true, description: "Password of url's role when the URL holds none (VECHE_DATABASE_PASSWORD)." }),
      passwordFile: Type.String({ default: '', description: 'File whose first line is the password; used when password is empty.' }),
    }),
    media: Section({
      listenIp: Type.String({ default: '0.0.0.0' }),
      announcedAddress: Type.String({
        default: '',
        description: 'Address browsers send media to; empty: the first non-internal IPv4 address.',
      }),
      port: Type.Integer({
        minimum: 0,
        maximum: 65535,
        default: 40000,
        description: 'First media port (UDP and TCP); worker N uses port + N; 0: any free port.',
      }),
      workers: Type.Integer({ minimum: 0, maximum: 256, default: 0, description: '0: one per CPU core.' }),
      workerLogLevel: Type.Union([Type.Literal('debug'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('none')], {
        default: 'warn',
      }),
      maxIncomingBitrate: Type.Integer({ minimum: 100_000, default: 3_000_000 }),
      // 15: the largest all-see-all SRTP meeting (AEAD_AES_256_GCM, what Chromium negotiates) whose
      // forwarding fits in 80% of one worker core on the 2-core reference machine: 0.8 core at
      // 10.9 us/packet is 73k packets/s, and 15 x 14 x 320 = 67k (16 would need 77k). bench/README.md.
      peersPerWorker: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 15,
        description: 'Participants of one meeting a worker carries before it spreads onto another (pipeToRouter); 0: never.',
      }),
      plainTransports: Type.Boolean({
        default: false,
        description: 'Allow plain RTP transports: for load generators and SIP gateways on trusted networks.',
      }),
    }),
    auth: Section({
      sessionHours: Type.Integer({ minimum: 1, maximum: 24 * 365, default: 24 * 14 }),
    }),
    ldap: Section({
      url: Type.String({
        default: '',
        pattern: '^$|^ldaps?://',
        description: 'Directory server, ldap://dc1.corp.example or ldaps://dc1.corp.example:636; empty: LDAP sign-in off.',
      }),
      startTls: Type.Boolean({ default: false, description: 'Upgrade an ldap:// connection with StartTLS before sending any password.' }),
      caFile: Type.String({ default: '', description: "PEM of the CA that signed the directory's certificate; empty: the system CAs." }),
      bindDn: Type.String({ default: '', description: 'Service account that searches for users; empty: anonymous search.' }),
      bindPassword: Type.String({ default: '', secret: true }),
      searchBase: Type.String({ default: '', description: 'Where users are searched, e.g. ou=people,dc=corp,dc=example; required with url.' }),
      userFilter: Type.String({
        minLength: 1,
        default: '(|(uid={login})(mail={login})(sAMAccountName={login}))',
        description: 'Finds the user; {login} is what they typed, escaped (RFC 4515).',
      }),
      emailAttribute: Type.String({ minLength: 1, default: 'mail' }),
      nameAttribute: Type.String({ minLength: 1, default: 'displayName', description: 'Display name; cn when the entry has none.' }),
      groupAttribute: Type.String({ default: 'memberOf', description: "The user entry's attribute listing group DNs; empty: not read." }),
      groupSearchBase: Type.String({ default: '', description: 'Where groups are searched for the user; empty: no group search.' }),
      groupFilter: Type.String({
        minLength: 1,
        default: '(|(member={dn})(uniqueMember={dn}))',
        description: "Finds the user's groups; {dn} is the user's DN, {login} what they typed (both escaped).",
      }),
      adminGroups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Group DNs whose members are admins.' }),
      ownerGroups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Group DNs whose members are owners.' }),
      requiredGroups: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'Group DNs; when set, only their members (and owner and admin groups) may sign in.',
      }),
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 10, description: 'How long one sign-in waits for the directory.' }),
      recheckMinutes: Type.Integer({
        minimum: 0,
        maximum: 1440,
        default: 15,
        description: 'How often signed-in directory users are looked up again; removed, disabled or no longer permitted ones are signed out. 0: never.',
      }),
    }),
    rooms: Section({
      chatHistory: Type.Integer({ minimum: 0, maximum: 100_000, default: 500 }),
    }),
    limits: Section({
      perAddressPerMinute: Type.Integer({
        minimum: 10,
        default: 3000,
        description: 'API points one network address may spend per minute (most requests cost 1; sign-in, exports and invitations more).',
      }),
      perUserPerMinute: Type.Integer({ minimum: 10, default: 300, description: 'API points one signed-in user may spend per minute.' }),
      signInSlowdownAfter: Type.Integer({ minimum: 1, default: 3, description: 'Failed sign-ins in a row after which answers slow down.' }),
      signInLockAfter: Type.Integer({
        minimum: 2,
        default: 10,
        description: 'Failed sign-ins in a row that lock the account (an owner: only from that address).',
      }),
      signInLockMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
      signInFailuresPerAddress: Type.Integer({
        minimum: 5,
        default: 50,
        description: 'Failed sign-ins one address may make within signInLockMinutes, whatever the accounts.',
      }),
    }),
    license: Section({
      activationUrl: Type.String({
        minLength: 1,
        default: 'https://activation.veche.example',
        description: "The vendor's activation service; reached only while activating.",
      }),
      checkIntervalMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 5 }),
    }),
    oidc: Section({
      issuer: Type.String({
        default: '',
        description: "OpenID Connect provider's issuer URL (https); empty: corporate sign-in (SSO) off.",
      }),
      clientId: Type.String({ default: '', description: 'Client ID registered for Veche at the provider.' }),
      clientSecret: Type.String({ default: '', secret: true, description: 'Client secret of clientId.' }),
      displayName: Type.String({ default: '', description: 'Shown on the button: "Sign in with <displayName>"; empty: a generic label.' }),
      scopes: Type.Array(Type.String({ minLength: 1 }), { default: ['openid', 'email', 'profile'] }),
      roleClaim: Type.String({ default: 'groups', description: 'Claim whose values map to roles (a string or a list of strings).' }),
      ownerValues: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'roleClaim values that make a user an owner.' }),
      adminValues: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'roleClaim values that make a user an admin.' }),
      requiredValues: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'When set, only users whose roleClaim holds one of these (or an owner/admin value) may sign in.',
      }),
      caFile: Type.String({ default: '', description: "PEM CA certificate(s) that sign the provider's certificate; empty: system CAs." }),
      redirectUrl: Type.String({
        default: '',
        description: 'Callback URL registered at the provider; empty: <server.publicUrl or the request>/api/auth/oidc/callback.',
      }),
      sessionHours: Type.Integer({
        minimum: 1,
        maximum: 24 * 365,
        default: 12,
        description: 'How long a corporate sign-in lasts at most (auth.sessionHours if shorter); then the provider is asked again.',
      }),
    }),
    recording: Section({
      maxConcurrent: Type.Integer({
        minimum: 0,
        maximum: 64,
        default: 2,
        description: 'Recordings at once on this server (each is one ffmpeg, CPU-bound); 0: recording off.',
      }),
      minFreeMb: Type.Integer({
        minimum: 0,
        default: 2048,
        description: 'Free disk space (MiB) under the recordings folder below which recordings refuse to start, or stop.',
      }),
      retentionDays: Type.Integer({ minimum: 0, maximum: 36_500, default: 0, description: 'Delete recordings older than this; 0: keep.' }),
      width: Type.Integer({ minimum: 160, maximum: 3840, default: 1280, description: 'Picture size of recordings and streams.' }),
      height: Type.Integer({ minimum: 120, maximum: 2160, default: 720 }),
      frameRate: Type.Integer({ minimum: 5, maximum: 60, default: 25 }),
      videoKbps: Type.Integer({ minimum: 100, maximum: 50_000, default: 2000 }),
      audioKbps: Type.Integer({ minimum: 32, maximum: 512, default: 128 }),
      audioSlots: Type.Integer({
        minimum: 1,
        maximum: 32,
        default: 6,
        description: 'Microphones mixed at once; beyond that the most recent speakers are heard.',
      }),
      ffmpeg: Type.String({ minLength: 1, default: 'ffmpeg', description: "ffmpeg binary (Debian's package)." }),
      ffprobe: Type.String({ minLength: 1, default: 'ffprobe' }),
    }),
    streaming: Section({
      maxConcurrent: Type.Integer({ minimum: 0, maximum: 64, default: 1, description: 'Live streams at once; 0: streaming off.' }),
      url: Type.String({ default: '', description: 'Preset RTMP(S) server URL; empty: the host enters one in the meeting.' }),
      key: Type.String({ default: '', secret: true, description: 'Stream key for the preset URL (never shown to users).' }),
      videoKbps: Type.Integer({ minimum: 100, maximum: 50_000, default: 2500 }),
      reconnectAttempts: Type.Integer({ minimum: 0, maximum: 100, default: 3 }),
      reconnectDelaySeconds: Type.Number({ minimum: 0, maximum: 300, default: 2 }),
    }),
    mail: Section({
      smtpHost: Type.String({ default: '', description: 'SMTP server for e-mail invitations; empty: invitations off.' }),
      smtpPort: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
      secure: Type.Boolean({ default: false, description: 'Implicit TLS from the first byte (usually port 465).' }),
      startTls: Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('off')], {
        default: 'required',
        description: 'STARTTLS on a plain connection: required (refuse to send without it), opportunistic, or off.',
      }),
      caFile: Type.String({ default: '', description: 'PEM certificate(s) the SMTP server is checked against; empty: the system CAs.' }),
      user: Type.String({ default: '', description: 'SMTP sign-in; empty: send without signing in.' }),
      password: Type.String({ default: '', secret: true }),
      from: Type.String({ default: '', description: 'Sender address, e.g. "Veche <veche@corp.example>"; required with smtpHost.' }),
      perUserDaily: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 100, description: 'Recipients one user may invite in 24 hours.' }),
      workspaceDaily: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 1000, description: 'Recipients the whole workspace may invite in 24 hours.' }),
      maxRecipients: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Recipients of one invitation.' }),
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30, description: 'Connecting to, greeting and each answer of the SMTP server.' }),
    }),
    install: Section({
      dir: Type.String({ minLength: 1, default: '/opt/veche', description: 'releases/<version> and the current symlink.' }),
      serviceCommand: Type.String({
        minLength: 1,
        default: 'systemctl {action} veche.service',
        description: 'How `veche update` and `veche restore` control the server; {action} is restart, stop or start.',
      }),
      healthTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 3600, default: 90 }),
      keepReleases: Type.Integer({ minimum: 2, maximum: 100, default: 3 }),
    }),
    privacy: Section({
      retentionDays: Type.Integer({
        minimum: 1,
        maximum: 36_500,
        default: 365,
        description: 'Days meeting history (participants, addresses, chat) and usage statistics are kept; older is deleted daily.',
      }),
      purgeHourUtc: Type.Integer({ minimum: 0, maximum: 23, default: 3, description: 'Hour (UTC) of the daily deletion.' }),
    }),
    // Several nodes serving one workspace (issue 15). Empty redisUrl: a single box, nothing else is read.
    cluster: Section({
      redisUrl: Type.String({
        default: '',
        description: 'Redis the nodes share, redis://redis.corp.example:6379 or rediss:// for TLS; empty: this server is a single box.',
      }),
      redisPassword: Type.String({
        default: '',
        secret: true,
        description: "Password of redisUrl when the URL holds none (VECHE_REDIS_PASSWORD or VECHE_CLUSTER_REDIS_PASSWORD).",
      }),
      redisPasswordFile: Type.String({ default: '', description: 'File whose first line is the Redis password; used when redisPassword is empty.' }),
      nodeName: Type.String({ default: '', description: "This node's name, unique in the cluster; empty: the machine's host name." }),
      nodeUrl: Type.String({
        default: '',
        description: 'How other nodes and browsers reach this node, https://node1.corp.example:8443; empty: https://<nodeName>:<server.port>.',
      }),
      mediaAddress: Type.String({
        default: '',
        description: 'IP address other nodes send media between nodes to; empty: media.announcedAddress (or the detected one).',
      }),
    }),
    metrics: Section({
      token: Type.String({
        default: '',
        description: 'Bearer token a Prometheus scraper sends to GET /metrics; empty: /metrics answers only this machine (loopback).',
      }),
    }),
    log: Section({
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info' },
      ),
      pretty: Type.Boolean({ default: false }),
    }),
  },
  { additionalProperties: false },
)

export type Config = Static<typeof ConfigSchema>
