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
    }),
    auth: Section({
      sessionHours: Type.Integer({ minimum: 1, maximum: 24 * 365, default: 24 * 14 }),
    }),
    rooms: Section({
      chatHistory: Type.Integer({ minimum: 0, maximum: 100_000, default: 500 }),
    }),
    license: Section({
      activationUrl: Type.String({
        minLength: 1,
        default: 'https://activation.veche.example',
        description: "The vendor's activation service; reached only while activating.",
      }),
      checkIntervalMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 5 }),
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
