// Every signaling method and its handler; a method missing here is a compile error.
import type { Handler } from '../handler.ts'
import type { MethodName } from '../protocol.ts'
import { chat } from './chat.ts'
import { closeProducer } from './close-producer.ts'
import { connectTransport } from './connect-transport.ts'
import { createTransport } from './create-transport.ts'
import { join } from './join.ts'
import { leave } from './leave.ts'
import { pauseProducer } from './pause-producer.ts'
import { produce } from './produce.ts'
import { ready } from './ready.ts'
import { restartIce } from './restart-ice.ts'
import { resumeConsumer } from './resume-consumer.ts'
import { resumeProducer } from './resume-producer.ts'
import { setConsumerLayers } from './set-consumer-layers.ts'

export const handlers: { [M in MethodName]: Handler<M> } = {
  join,
  createTransport,
  connectTransport,
  restartIce,
  ready,
  produce,
  closeProducer,
  pauseProducer,
  resumeProducer,
  resumeConsumer,
  setConsumerLayers,
  chat,
  leave,
}
