// The shape of a signaling method handler: one file per method under handlers/.
import type { MethodData, MethodName, MethodResults } from './protocol.ts'
import type { SignalingSession } from './session.ts'

export type Handler<M extends MethodName> = (
  session: SignalingSession,
  data: MethodData<M>,
) => Promise<MethodResults[M]> | MethodResults[M]
