// The recordings page's API: list, play (with byte ranges, so the browser can seek), download, the
// chat beside each file, and delete. Only those mayAccessRecording allows see a recording at all.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Recording } from '../db/recordings-repository.ts'
import { sendError } from '../http-errors.ts'
import { mayAccessRecording } from '../recording/permissions.ts'
import { SfuError } from '../sfu/errors.ts'
import { NoBody, replies } from './common-schemas.ts'
import { FileQuery, RecordingParams, RecordingReply, RecordingsReply } from './recording-schemas.ts'

function view(r: Recording) {
  return {
    id: r.id,
    roomTitle: r.roomTitle,
    startedBy: r.startedByName,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    sizeBytes: r.sizeBytes,
    status: r.status,
    error: r.error,
    fileUrl: `/api/recordings/${r.id}/file`,
    chatUrl: `/api/recordings/${r.id}/chat`,
  }
}

/** downloadName: "Планёрка 2026-11-22 14-05.mp4", safe for every file system. */
function downloadName(r: Recording, ext: string): string {
  const when = new Date(r.startedAt).toISOString().slice(0, 16).replace('T', ' ').replace(':', '-')
  const title = r.roomTitle.replace(/[\\/:*?"<>|\x00-\x1f]+/g, ' ').trim().slice(0, 80) || 'recording'
  return `${title} ${when}.${ext}`
}

function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, "'")
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/** parseRange reads a single `bytes=a-b` range; null: serve everything; 'bad': not satisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'bad'
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  return start <= end && start < size ? { start, end } : 'bad'
}

export default async function recordingsRoutes(app: FastifyInstance): Promise<void> {
  const guard = { preHandler: [app.requireUser, app.requireFeature('recording')] }

  /** visible returns the recording if the caller may access it; otherwise it answers 404 itself. */
  const visible = async (request: FastifyRequest<{ Params: RecordingParams }>, reply: FastifyReply): Promise<Recording | undefined> => {
    const record = await app.recordingsRepository.get(request.params.id)
    // Someone who may not see a recording learns nothing, not even that it exists.
    if (!record || !mayAccessRecording(request.user!, record)) {
      void sendError(reply, 404, 'not_found', 'no such recording (or it is not yours to see)')
      return undefined
    }
    return record
  }

  app.get('/api/recordings', { ...guard, schema: { response: replies({ 200: RecordingsReply }) } }, async (request) => {
    const user = request.user!
    const list = user.role === 'owner' || user.role === 'admin' ? await app.recordingsRepository.listAll() : await app.recordingsRepository.listFor(user.id)
    return { recordings: list.map(view) }
  })

  app.get<{ Params: RecordingParams }>('/api/recordings/:id', { ...guard, schema: { params: RecordingParams, response: replies({ 200: RecordingReply }) } }, async (request, reply) => {
    const record = await visible(request, reply)
    return record && { recording: view(record) }
  })

  app.get<{ Params: RecordingParams; Querystring: FileQuery }>(
    '/api/recordings/:id/file',
    // The video itself (200, 206 with a range, 416 empty): only the refusals are JSON.
    { ...guard, schema: { params: RecordingParams, querystring: FileQuery, response: replies({}) } },
    async (request, reply) => {
      const record = await visible(request, reply)
      if (!record) return reply
      const file = app.capture.fileOf(record)
      const size = await stat(file).then((s) => s.size, () => -1)
      if (size <= 0) return sendError(reply, 404, 'not_found', 'this recording has no file (it failed before anything was written)')
      const range = parseRange(request.headers.range, size)
      if (range === 'bad') return reply.code(416).header('content-range', `bytes */${size}`).send()
      const { start, end } = range ?? { start: 0, end: size - 1 }
      reply
        .header('content-type', 'video/mp4')
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, no-store')
        .header('content-length', String(end - start + 1))
        .header('content-disposition', disposition(request.query.download === '1' ? 'attachment' : 'inline', downloadName(record, 'mp4')))
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`)
      request.log.info({ recording: record.id, by: request.user!.id, range: request.headers.range }, 'recording file served')
      return reply.send(createReadStream(file, { start, end }))
    },
  )

  // A text file: only the refusals are JSON.
  app.get<{ Params: RecordingParams }>('/api/recordings/:id/chat', { ...guard, schema: { params: RecordingParams, response: replies({}) } }, async (request, reply) => {
    const record = await visible(request, reply)
    if (!record) return reply
    const file = app.capture.chatFileOf(record)
    const size = await stat(file).then((s) => s.size, () => -1)
    if (size < 0) return sendError(reply, 404, 'not_found', 'this recording has no chat file')
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', disposition('attachment', downloadName(record, 'chat.txt')))
      .send(createReadStream(file))
  })

  app.delete<{ Params: RecordingParams }>('/api/recordings/:id', { ...guard, schema: { params: RecordingParams, response: replies({ 204: NoBody }) } }, async (request, reply) => {
    const record = await visible(request, reply)
    if (!record) return reply
    try {
      await app.capture.deleteRecording(record)
    } catch (err) {
      if (err instanceof SfuError) return sendError(reply, 409, err.code, err.message)
      throw err
    }
    request.log.info({ recording: record.id, by: request.user!.id }, 'recording deleted')
    return reply.code(204).send()
  })
}
