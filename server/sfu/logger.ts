// The logging surface the SFU needs; pino's Logger satisfies it, so sfu/ stays free of server wiring.
export interface SfuLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}
