// What a load generator needs from an SFU under test: rooms, and per participant a control session
// with the plain-transport operations. Veche implements it with its real signaling; the baseline
// with bare mediasoup calls in a child process.
import type { SrtpParameters } from '../srtp.ts'

export interface PlainTransportInfo {
  id: string
  ip: string
  port: number
  srtpParameters?: SrtpParameters
}

export interface NewConsumer {
  consumerId: string
  kind: 'audio' | 'video'
}

export interface SfuSession {
  join(displayName: string): Promise<void>
  createPlainTransport(direction: 'send' | 'recv', srtp: boolean): Promise<PlainTransportInfo>
  /**
   * connectPlainTransport returns the server's SRTP parameters after connecting where it says them
   * (they change when the client picked another suite), else undefined.
   */
  connectPlainTransport(transportId: string, ip: string, port: number, srtpParameters?: SrtpParameters): Promise<SrtpParameters | undefined>
  produce(transportId: string, kind: 'audio' | 'video', rtpParameters: object, source: 'mic' | 'camera'): Promise<string>
  ready(rtpCapabilities: object): Promise<void>
  /** resumeConsumer resumes a consumer the server created paused (a no-op where none is). */
  resumeConsumer(consumerId: string): Promise<void>
  /** Called for each consumer the server creates for this participant. */
  onNewConsumer: (consumer: NewConsumer) => void
  close(): Promise<void>
}

export interface TargetProcesses {
  /** The Node process that runs the control plane. */
  control: number
  /** The media worker processes. */
  workers: number[]
}

export interface SfuTarget {
  readonly name: 'veche' | 'baseline'
  createRoom(): Promise<string>
  /** connect opens a control session for one participant of `room` (for Veche: the WebSocket). */
  connect(room: string): Promise<SfuSession>
  processes(): TargetProcesses
  close(): Promise<void>
}
