// What a recorded file holds, measured by ffprobe: its duration and streams.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ProbeResult {
  durationMs: number
  video: { codec: string; width: number; height: number } | undefined
  audio: { codec: string; channels: number; sampleRate: number } | undefined
}

interface FfprobeJson {
  format?: { duration?: string }
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; channels?: number; sample_rate?: string }[]
}

/** probeFile returns what `file` holds; throws when ffprobe cannot read it (nothing playable). */
export async function probeFile(ffprobe: string, file: string): Promise<ProbeResult> {
  const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,channels,sample_rate', '-of', 'json', file], {
    timeout: 30_000,
  })
  const info = JSON.parse(stdout) as FfprobeJson
  const v = info.streams?.find((s) => s.codec_type === 'video')
  const a = info.streams?.find((s) => s.codec_type === 'audio')
  return {
    durationMs: Math.round(Number(info.format?.duration ?? 0) * 1000),
    video: v ? { codec: v.codec_name ?? '', width: v.width ?? 0, height: v.height ?? 0 } : undefined,
    audio: a ? { codec: a.codec_name ?? '', channels: a.channels ?? 0, sampleRate: Number(a.sample_rate ?? 0) } : undefined,
  }
}
