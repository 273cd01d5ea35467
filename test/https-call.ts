// One real https request to a test server (its own local CA, not trusted by Node), with exactly the
// headers given: no Origin, cookie or content type is added, as a browser, curl or the CLI would differ.
import { request } from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'

export interface HttpsAnswer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

export function httpsCall(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, rejectUnauthorized: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += String(chunk)))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}
