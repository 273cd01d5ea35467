/* publisher: see publisher.h. */
#define _GNU_SOURCE
#include "publisher.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RTP_HEADER 12
#define AUDIO_PT 100
#define VIDEO_PT 101
#define AUDIO_LEVEL_EXT_ID 1
#define AUDIO_PAYLOAD 100
#define MAX_PAYLOAD 1180
#define VP8_DESCRIPTOR 6
#define KEYFRAME_FACTOR 5
#define STAMP 8
#define NTP_EPOCH_OFFSET 2208988800u

/* libwebrtc's default simulcast layers for a 720p camera (media-profile.ts VIDEO_LAYERS). */
static const struct { int width, height, bitrate, fps; } LAYERS[3] = {
  { 320, 180, 150000, 30 },
  { 640, 360, 500000, 30 },
  { 1280, 720, 2500000, 30 },
};

struct pub_totals pub_totals;

static uint64_t rng_state;
static uint64_t rnd(void) {
  if (!rng_state && getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state) rng_state = (uint64_t)time(NULL) * 2654435761u | 1;
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return rng_state;
}
static double rnd01(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = v >> 8, p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void stream_init(struct pub_stream *s, double now, uint32_t clock_rate, double due, double interval) {
  memset(s, 0, sizeof *s);
  s->ssrc = (uint32_t)(rnd01() * 0xfffffff0u) + 1;
  s->seq = (uint16_t)(rnd() % 0x8000); /* away from the wrap, as publisher.ts does */
  s->clock_rate = clock_rate;
  s->last_sent_at = now;
  s->next_report = now + 100;
  s->due = due;
  s->interval = interval;
}

struct publisher *pub_open(const char *ip, int port, double now, const char **error) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int size = 2 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  struct sockaddr_in remote = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (fd < 0 || inet_pton(AF_INET, ip, &remote.sin_addr) != 1 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0 ||
      connect(fd, (struct sockaddr *)&remote, sizeof remote) < 0) {
    *error = fd < 0 ? strerror(errno) : "cannot bind or connect the publisher's socket";
    if (fd >= 0) close(fd);
    return NULL;
  }
  struct publisher *p = calloc(1, sizeof *p);
  p->fd = fd;
  /* Random phases, so many publishers do not send in lockstep. */
  stream_init(&p->audio, now, 48000, now + rnd01() * 20, 20);
  double phase = rnd01() * 33;
  for (int i = 0; i < 3; i++) {
    stream_init(&p->video[i], now, 90000, now + phase, 1000.0 / LAYERS[i].fps);
    p->video[i].layer = i;
    p->video[i].picture_id = (uint16_t)(rnd() % 0x7fff);
    p->video[i].key_pending = 1;
  }
  p->turn_at = now + rnd01() * 10000;
  return p;
}

/* send_rtp stamps the send time into the last 8 payload bytes, protects and sends. */
static void send_rtp(struct publisher *p, struct pub_stream *s, uint8_t *buf, int len, int header) {
  double now = mono_ms();
  double stamp = now;
  uint64_t bits;
  memcpy(&bits, &stamp, 8);
  for (int i = 0; i < 8; i++) buf[len - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
  int out = len;
  if (p->tx && srtp_dir_protect(p->tx, buf, &out) < 0) {
    pub_totals.srtp_errors++;
    return;
  }
  send(p->fd, buf, (size_t)out, 0);
  pub_totals.packets++;
  s->packets++;
  s->octets += (uint32_t)(len - header);
  s->last_timestamp = s->timestamp;
  s->last_sent_at = now;
}

static void rtp_header(uint8_t *b, int pt, int marker, struct pub_stream *s, int ext) {
  b[0] = ext ? 0x90 : 0x80;
  b[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
  put16(b + 2, s->seq);
  put32(b + 4, s->timestamp);
  put32(b + 8, s->ssrc);
}

static void send_audio(struct publisher *p, double now) {
  uint8_t buf[RTP_HEADER + 8 + AUDIO_PAYLOAD + SRTP_SLACK];
  struct pub_stream *a = &p->audio;
  int header = RTP_HEADER + 8;
  memset(buf, 0, sizeof buf);
  rtp_header(buf, AUDIO_PT, 0, a, 1);
  /* One-byte header extension (RFC 8285) with the audio level: voice activity bit and -dBov. */
  put16(buf + RTP_HEADER, 0xbede);
  put16(buf + RTP_HEADER + 2, 1);
  if (now >= p->turn_at) {
    p->talking = !p->talking;
    p->turn_at = now + (p->talking ? 1000 + rnd01() * 2000 : 5000 + rnd01() * 10000);
  }
  int level = p->talking ? 20 + (int)(rnd01() * 15) : 75 + (int)(rnd01() * 10);
  buf[RTP_HEADER + 4] = AUDIO_LEVEL_EXT_ID << 4;
  buf[RTP_HEADER + 5] = (uint8_t)((p->talking ? 0x80 : 0) | level);
  send_rtp(p, a, buf, header + AUDIO_PAYLOAD, header);
  pub_totals.published++;
  a->seq++;
  a->timestamp += 48000 / 50;
}

static void send_frame(struct publisher *p, struct pub_stream *v) {
  int key = v->key_pending;
  v->key_pending = 0;
  if (key) pub_totals.key_frames++;
  const int fps = LAYERS[v->layer].fps;
  int bytes = (int)lround(LAYERS[v->layer].bitrate / 8.0 / fps) * (key ? KEYFRAME_FACTOR : 1);
  int count = bytes <= MAX_PAYLOAD ? 1 : (bytes + MAX_PAYLOAD - 1) / MAX_PAYLOAD;
  int per = (bytes + count - 1) / count;
  if (per < STAMP + 10) per = STAMP + 10;
  if (per > MAX_PAYLOAD) per = MAX_PAYLOAD;
  if (v->layer == 2) pub_totals.published += (uint64_t)count;
  uint8_t buf[RTP_HEADER + VP8_DESCRIPTOR + MAX_PAYLOAD + SRTP_SLACK];
  for (int i = 0; i < count; i++) {
    int first = i == 0, len = RTP_HEADER + VP8_DESCRIPTOR + per;
    memset(buf, 0, (size_t)len);
    rtp_header(buf, VIDEO_PT, i == count - 1, v, 0);
    /* VP8 payload descriptor (RFC 7741): X|S, I|L|T, M|picture id, TL0PICIDX, TID 0 + Y (vp8.ts). */
    uint8_t *d = buf + RTP_HEADER;
    d[0] = 0x80 | (first ? 0x10 : 0);
    d[1] = 0xe0;
    d[2] = 0x80 | ((v->picture_id >> 8) & 0x7f);
    d[3] = v->picture_id & 0xff;
    d[4] = v->tl0;
    d[5] = 0x20;
    if (first) {
      /* VP8 payload header: P bit clear on a keyframe, then the start code and the picture size. */
      uint8_t *h = d + VP8_DESCRIPTOR;
      h[0] = 0x10 | (key ? 0 : 1);
      h[1] = 0x02;
      h[2] = 0x00;
      if (key) {
        h[3] = 0x9d, h[4] = 0x01, h[5] = 0x2a;
        h[6] = LAYERS[v->layer].width & 0xff, h[7] = (LAYERS[v->layer].width >> 8) & 0x3f;
        h[8] = LAYERS[v->layer].height & 0xff, h[9] = (LAYERS[v->layer].height >> 8) & 0x3f;
      }
    }
    send_rtp(p, v, buf, len, RTP_HEADER);
    v->seq++;
  }
  v->picture_id = (v->picture_id + 1) & 0x7fff;
  v->tl0++;
  v->timestamp += 90000 / fps;
}

/* send_report sends a Sender Report for `s`, about once a second as libwebrtc does (mediasoup
 * needs them to switch a consumer between simulcast layers). */
static void send_report(struct publisher *p, struct pub_stream *s, double now) {
  s->next_report = now + 1000;
  uint8_t sr[28 + SRTP_SLACK];
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  uint32_t rtp_now = s->last_timestamp + (uint32_t)llround((now - s->last_sent_at) * s->clock_rate / 1000);
  sr[0] = 0x80, sr[1] = 200;
  put16(sr + 2, 6);
  put32(sr + 4, s->ssrc);
  put32(sr + 8, (uint32_t)wall.tv_sec + NTP_EPOCH_OFFSET);
  put32(sr + 12, (uint32_t)((double)wall.tv_nsec / 1e9 * 4294967296.0));
  put32(sr + 16, rtp_now);
  put32(sr + 20, s->packets);
  put32(sr + 24, s->octets);
  int len = 28;
  if (p->tx && srtp_dir_protect_rtcp(p->tx, sr, &len) < 0) {
    pub_totals.srtp_errors++;
    return;
  }
  send(p->fd, sr, (size_t)len, 0);
}

void pub_tick(struct publisher *p, double now) {
  if (!p->started) return;
  while (p->audio.due <= now) {
    send_audio(p, now);
    p->audio.due += p->audio.interval;
  }
  for (int i = 0; i < 3; i++)
    while (p->video[i].due <= now) {
      send_frame(p, &p->video[i]);
      p->video[i].due += p->video[i].interval;
    }
  if (p->audio.next_report <= now && p->audio.packets) send_report(p, &p->audio, now);
  for (int i = 0; i < 3; i++)
    if (p->video[i].next_report <= now && p->video[i].packets) send_report(p, &p->video[i], now);
}

static void key_frame_request(struct publisher *p, uint32_t ssrc) {
  for (int i = 0; i < 3; i++)
    if (p->video[i].ssrc == ssrc) {
      p->video[i].key_pending = 1;
      pub_totals.key_frame_requests++;
    }
}

void pub_readable(struct publisher *p) {
  uint8_t buf[1600];
  for (;;) {
    ssize_t r = recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r <= 0) return; /* EAGAIN, or ICMP port unreachable once the server closed our transport */
    int len = (int)r;
    if (len < 8 || (buf[1] & 0x7f) < 64 || (buf[1] & 0x7f) > 95) continue;
    if (p->rx && srtp_dir_unprotect_rtcp(p->rx, buf, &len) < 0) {
      pub_totals.srtp_errors++;
      continue;
    }
    /* PLI (PT 206 FMT 1: media SSRC in the common header) and FIR (PT 206 FMT 4: one SSRC per entry). */
    for (int off = 0; off + 4 <= len;) {
      int fmt = buf[off] & 0x1f, pt = buf[off + 1], n = (((buf[off + 2] << 8) | buf[off + 3]) + 1) * 4;
      if (off + n > len) break;
      if (pt == 206 && fmt == 1 && n >= 12) key_frame_request(p, get32(buf + off + 8));
      if (pt == 206 && fmt == 4)
        for (int e = off + 12; e + 8 <= off + n; e += 8) key_frame_request(p, get32(buf + e));
      off += n;
    }
  }
}

void pub_close(struct publisher *p) {
  close(p->fd);
  srtp_dir_free(p->tx);
  srtp_dir_free(p->rx);
  free(p);
}
