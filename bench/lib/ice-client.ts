// A minimal ICE client: STUN binding requests (RFC 5389, short-term credentials, as a browser sends
// them) over UDP, or over TCP in RFC 4571 framing. Enough to make a mediasoup WebRtcTransport add an
// ICE tuple for us, the way a browser's first connectivity check does.
import { createHmac, randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import net from 'node:net'
import { crc32 } from 'node:zlib'

const MAGIC_COOKIE = 0x2112a442
const BINDING_REQUEST = 0x0001
const BINDING_SUCCESS = 0x0101
const ATTR_USERNAME = 0x0006
const ATTR_MESSAGE_INTEGRITY = 0x0008
const ATTR_PRIORITY = 0x0024
const ATTR_ICE_CONTROLLING = 0x802a
const ATTR_FINGERPRINT = 0x8028
const FINGERPRINT_XOR = 0x5354554e

/** The server side's ICE parameters, as mediasoup's transport.iceParameters gives them. */
export interface IceCredentials {
  usernameFragment: string
  password: string
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4)
  padded.writeUInt16BE(type, 0)
  padded.writeUInt16BE(value.length, 2)
  value.copy(padded, 4)
  return padded
}

/** header builds a STUN header whose length field covers `bodyLength` bytes of attributes. */
function header(type: number, bodyLength: number, transactionId: Buffer): Buffer {
  const h = Buffer.alloc(20)
  h.writeUInt16BE(type, 0)
  h.writeUInt16BE(bodyLength, 2)
  h.writeUInt32BE(MAGIC_COOKIE, 4)
  transactionId.copy(h, 8)
  return h
}

/**
 * bindingRequest returns a STUN Binding request to the server whose credentials are `server`:
 * USERNAME "<server ufrag>:<our ufrag>", PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY (HMAC-SHA1 keyed
 * with the server's password) and FINGERPRINT, each computed over the message as RFC 5389 says.
 */
export function bindingRequest(server: IceCredentials, clientUfrag = randomBytes(4).toString('hex')): Buffer {
  const transactionId = randomBytes(12)
  const priority = Buffer.alloc(4)
  priority.writeUInt32BE(0x6e7f1eff, 0) // a host candidate's priority, as Chrome computes it
  let body = Buffer.concat([
    attribute(ATTR_USERNAME, Buffer.from(`${server.usernameFragment}:${clientUfrag}`)),
    attribute(ATTR_PRIORITY, priority),
    attribute(ATTR_ICE_CONTROLLING, randomBytes(8)),
  ])
  // MESSAGE-INTEGRITY: HMAC over the message up to it, the header's length already counting it.
  const hmac = createHmac('sha1', server.password)
    .update(header(BINDING_REQUEST, body.length + 24, transactionId))
    .update(body)
    .digest()
  body = Buffer.concat([body, attribute(ATTR_MESSAGE_INTEGRITY, hmac)])
  // FINGERPRINT: CRC-32 of the message up to it (length counting it), XORed with "STUN".
  const crc = (crc32(Buffer.concat([header(BINDING_REQUEST, body.length + 8, transactionId), body])) ^ FINGERPRINT_XOR) >>> 0
  const fingerprint = Buffer.alloc(4)
  fingerprint.writeUInt32BE(crc, 0)
  body = Buffer.concat([body, attribute(ATTR_FINGERPRINT, fingerprint)])
  return Buffer.concat([header(BINDING_REQUEST, body.length, transactionId), body])
}

/** isBindingSuccess tells whether `msg` is a STUN Binding success response. */
export function isBindingSuccess(msg: Buffer): boolean {
  return msg.length >= 20 && msg.readUInt16BE(0) === BINDING_SUCCESS && msg.readUInt32BE(4) === MAGIC_COOKIE
}

/** frame prefixes `msg` with its 16-bit length (RFC 4571), as ICE-TCP carries every packet. */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2)
  len.writeUInt16BE(msg.length, 0)
  return Buffer.concat([len, msg])
}

/** An ICE-TCP connection that passed its connectivity check: the server holds a tuple for it. */
export interface IceTcpConnection {
  socket: net.Socket
  /** ended resolves when the server closes its side (FIN or reset). */
  ended: Promise<void>
}

/**
 * connectIceTcp opens a TCP connection to `port` and sends a Binding request with `server`'s
 * credentials. Resolves once the Binding success response arrives; rejects on an error response,
 * a socket error or after `timeoutMs`.
 */
export function connectIceTcp(host: string, port: number, server: IceCredentials, timeoutMs = 5000): Promise<IceTcpConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    let buffered = Buffer.alloc(0)
    let settled = false
    const ended = new Promise<void>((res) => {
      socket.once('end', () => res())
      socket.once('close', () => res())
    })
    const fail = (err: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      reject(err)
    }
    const timer = setTimeout(() => fail(new Error(`no STUN answer on ICE-TCP ${host}:${port} in ${timeoutMs} ms`)), timeoutMs)
    socket.on('error', fail)
    socket.on('connect', () => socket.write(frame(bindingRequest(server))))
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      if (settled || buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return
      const msg = buffered.subarray(2, 2 + buffered.readUInt16BE(0))
      if (!isBindingSuccess(msg)) return fail(new Error(`STUN error response 0x${msg.readUInt16BE(0).toString(16)} on ICE-TCP`))
      settled = true
      clearTimeout(timer)
      socket.removeListener('error', fail)
      socket.on('error', () => {}) // a reset after the server closes is expected
      resolve({ socket, ended })
    })
  })
}

/**
 * checkIceUdp sends a Binding request from a fresh UDP socket to `port` and resolves with that
 * socket once the success response arrives (the caller closes it); rejects after `timeoutMs`.
 */
export function checkIceUdp(host: string, port: number, server: IceCredentials, timeoutMs = 5000): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    const timer = setTimeout(() => {
      socket.close()
      reject(new Error(`no STUN answer on UDP ${host}:${port} in ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('message', (msg) => {
      if (!isBindingSuccess(msg)) return
      clearTimeout(timer)
      resolve(socket)
    })
    socket.send(bindingRequest(server), port, host)
  })
}
