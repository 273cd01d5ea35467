// Every signaling method and its handler; a method missing here is a compile error.
import type { Handler } from '../handler.ts'
import type { MethodName } from '../protocol.ts'
import { admit } from './admit.ts'
import { cameraOff } from './camera-off.ts'
import { endMeeting } from './end-meeting.ts'
import { makeHost } from './make-host.ts'
import { muteAll } from './mute-all.ts'
import { mutePeer } from './mute-peer.ts'
import { reject } from './reject.ts'
import { removeParticipant } from './remove-participant.ts'
import { setLocked } from './set-locked.ts'
import { captureState } from './capture-state.ts'
import { chat } from './chat.ts'
import { closeProducer } from './close-producer.ts'
import { connectPlainTransport } from './connect-plain-transport.ts'
import { connectTransport } from './connect-transport.ts'
import { createPlainTransport } from './create-plain-transport.ts'
import { createTransport } from './create-transport.ts'
import { join } from './join.ts'
import { leave } from './leave.ts'
import { pauseProducer } from './pause-producer.ts'
import { produce } from './produce.ts'
import { ready } from './ready.ts'
import { restartIce } from './restart-ice.ts'
import { resumeConsumer } from './resume-consumer.ts'
import { resumeProducer } from './resume-producer.ts'
import { requestKeyFrame } from './request-key-frame.ts'
import { reportQuality } from './report-quality.ts'
import { setConsumerLayers } from './set-consumer-layers.ts'
import { startRecording } from './start-recording.ts'
import { startStreaming } from './start-streaming.ts'
import { stopRecording } from './stop-recording.ts'
import { stopStreaming } from './stop-streaming.ts'

export const handlers: { [M in MethodName]: Handler<M> } = {
  join,
  createTransport,
  connectTransport,
  restartIce,
  createPlainTransport,
  connectPlainTransport,
  ready,
  produce,
  closeProducer,
  pauseProducer,
  resumeProducer,
  resumeConsumer,
  setConsumerLayers,
  requestKeyFrame,
  reportQuality,
  chat,
  leave,
  captureState,
  startRecording,
  stopRecording,
  startStreaming,
  stopStreaming,
  admit,
  reject,
  mutePeer,
  muteAll,
  cameraOff,
  removeParticipant,
  makeHost,
  setLocked,
  endMeeting,
}
