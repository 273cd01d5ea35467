// Smoke test of the mediasoup worker binary (run with Node 24):
//   node build/check-worker.mjs
// Creates a worker, a router (opus + VP8), a WebRtcServer on 127.0.0.1 (UDP+TCP,
// one free port) and a WebRtcTransport on it; prints "worker ok" and exits 0.
import net from 'node:net';
import dgram from 'node:dgram';
import mediasoup from 'mediasoup'; // resolves to <repo>/node_modules/mediasoup

const TIMEOUT_MS = 15000;

const timer = setTimeout(() => {
  console.error(`check-worker: timed out after ${TIMEOUT_MS} ms`);
  process.exit(1);
}, TIMEOUT_MS);

// A port free for both TCP and UDP on 127.0.0.1.
async function freePort() {
  for (let i = 0; i < 20; i++) {
    const tcp = net.createServer();
    await new Promise((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', resolve);
    });
    const { port } = tcp.address();
    const udp = dgram.createSocket('udp4');
    const udpOk = await new Promise((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (udpOk) await new Promise((resolve) => udp.close(resolve));
    await new Promise((resolve) => tcp.close(resolve));
    if (udpOk) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  worker.on('died', (error) => {
    console.error('check-worker: worker died:', error);
    process.exit(1);
  });

  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });

  const port = await freePort();
  const webRtcServer = await worker.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '127.0.0.1', port },
      { protocol: 'tcp', ip: '127.0.0.1', port },
    ],
  });

  const transport = await router.createWebRtcTransport({
    webRtcServer,
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
  });

  const protocols = new Set(transport.iceCandidates.map((c) => c.protocol));
  if (!protocols.has('udp') || !protocols.has('tcp')) {
    throw new Error(`unexpected ICE candidates: ${JSON.stringify(transport.iceCandidates)}`);
  }
  if (!router.rtpCapabilities.codecs.some((c) => c.mimeType === 'video/VP8')) {
    throw new Error('router has no VP8 codec');
  }

  transport.close();
  webRtcServer.close();
  router.close();
  worker.close();
  clearTimeout(timer);
  console.log('worker ok');
  process.exit(0);
} catch (error) {
  console.error('check-worker: FAILED:', error);
  worker?.close();
  process.exit(1);
}
