// Messages between the baseline target (in the generator) and the bare-mediasoup child process.
export type BaselineOp =
  | { op: 'createRoom' }
  | { op: 'join'; room: string }
  | { op: 'createPlainTransport'; session: string; direction: 'send' | 'recv'; srtp: boolean }
  | { op: 'connectPlainTransport'; session: string; transportId: string; ip: string; port: number; srtpParameters?: object }
  | { op: 'produce'; session: string; transportId: string; kind: 'audio' | 'video'; rtpParameters: object }
  | { op: 'ready'; session: string; rtpCapabilities: object }
  | { op: 'leave'; session: string }
  | { op: 'workerPid' }

export type BaselineRequest = BaselineOp & { id: number }
export type BaselineReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }
export interface BaselineNotice {
  notice: 'newConsumer'
  session: string
  consumerId: string
  kind: 'audio' | 'video'
}
