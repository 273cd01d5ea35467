// The picture a recording shows while nobody has a camera on: one VP8 keyframe of a dark frame,
// encoded once per size by ffmpeg itself, so the recorder's video input never waits for a camera.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const cache = new Map<string, Promise<Buffer>>()

/** IVF: a 32-byte file header, then per frame a 12-byte header (size, pts) and the frame. */
function firstIvfFrame(ivf: Buffer): Buffer {
  if (ivf.length < 44 || ivf.toString('latin1', 0, 4) !== 'DKIF') throw new Error('ffmpeg did not write an IVF file')
  const headerLength = ivf.readUInt16LE(6)
  const size = ivf.readUInt32LE(headerLength)
  return ivf.subarray(headerLength + 12, headerLength + 12 + size)
}

/** placeholderFrame returns a VP8 keyframe of `width`x`height` in the meeting's background colour. */
export function placeholderFrame(ffmpeg: string, width: number, height: number): Promise<Buffer> {
  const key = `${ffmpeg}:${width}x${height}`
  let frame = cache.get(key)
  if (!frame) {
    frame = run(
      ffmpeg,
      ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0x202124:s=${width}x${height}:r=1`,
        '-frames:v', '1', '-c:v', 'libvpx', '-b:v', '200k', '-f', 'ivf', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 4 * 1024 * 1024 },
    ).then(({ stdout }) => firstIvfFrame(stdout))
    frame.catch(() => cache.delete(key))
    cache.set(key, frame)
  }
  return frame
}
