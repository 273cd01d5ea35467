/*
 * rtp-sink: the receiving half of the load generator, for loads a Node event loop cannot read.
 * Opens UDP sockets on 127.0.0.1 on request, drains them with recvmmsg, and per socket and SSRC
 * counts RTP packets and sequence gaps (RFC 3550) and times each packet against the send time the
 * generator put in its last 8 payload bytes (a big-endian double: CLOCK_MONOTONIC milliseconds).
 * SRTP ports decrypt (and authenticate) with libsrtp2 first (srtp-session.c). It also sends: the
 * publishers of SRTP steps (publisher.c), so protecting and unprotecting stay out of Node.
 * Built by bench/lib/sink.ts with the system cc (with libsrtp2 where its headers are installed).
 *
 * It also holds "null ports" for sampled receivers (bench/lib/null-port.ts), where subscribers that
 * are not counted receive. "drop": the smallest receive buffer the kernel allows, never read, so the
 * kernel drops what arrives at the socket. "drain": read in batches with zero-length buffers
 * (MSG_TRUNC: the kernel dequeues and frees each datagram without copying it), so the sender's side
 * of delivery (queueing, waking this reader) is as for a counted port, for little CPU here. Neither
 * is parsed; "nulls" says how many packets reached them: drained, and dropped (the kernel's counter).
 *
 * Commands on stdin, one per line; answers on stdout, one line each:
 *   open            -> "port <id> <port>"
 *   key <id> <suite> <hex> -> "ok"   (from now on port <id> receives SRTP: the server's key and salt)
 *   pub <ip> <port> -> "pub <id> <local port> <audio ssrc> <video ssrc q> <h> <f>"   (a publisher, idle)
 *   start <id> plain | start <id> <suite> <our hex> <server hex> -> "ok"   (the publisher sends)
 *   unpub <id>      -> "ok"
 *   pubs            -> "pubs <published> <packets> <keyframes> <keyframe requests> <srtp errors>"
 *                      (since start; published: audio + top-layer packets, what one subscriber gets)
 *   null drop|drain -> "port <id> <port>"   (a null port; closed with "close <id>" like the others)
 *   nulls           -> "nulls <drained> <dropped>"   (packets at the open null ports since they opened)
 *   close <id>      -> "ok"
 *   reset           -> "ok"      (starts a new counting window)
 *   report          -> "report <received> <expected> <p50_ms> <p99_ms> <id>:<streams>:<first_ms> ..."
 * It exits when stdin closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "publisher.h"
#include "srtp-session.h"

#define MAX_SOCKETS 4096
#define MAX_STREAMS 512 /* per socket: two per other participant */
#define BATCH 64
#define PKT 1600
#define BUCKETS 10000 /* 10 us each, up to 100 ms */
#define MAX_PUBS 1024
/* The publishers' clock: bench/lib/pacer.ts ticks every 4 ms too. */
#define TICK_NS 4000000
/* epoll tags: 0 stdin, 1..MAX_SOCKETS receive ports, then publishers, then the tick. */
#define PUB_TAG(i) ((uint32_t)(MAX_SOCKETS + 1 + (i)))
#define TICK_TAG ((uint32_t)(MAX_SOCKETS + 1 + MAX_PUBS))

struct stream {
  uint32_t ssrc;
  int64_t max_seq, base_seq;
  uint64_t received;
};

enum { COUNTED = 0, NULL_DROP = 1, NULL_DRAIN = 2 };

struct sock {
  int fd;
  int null; /* NULL_DROP or NULL_DRAIN for a null port: never parsed, never in "report" */
  uint64_t drained;
  int nstreams;
  double first_ms;
  struct srtp_dir *srtp; /* the server's key, for an SRTP port */
  struct stream streams[MAX_STREAMS];
};

static struct sock *socks[MAX_SOCKETS];
static struct publisher *pubs[MAX_PUBS];
static int npubs_started;
static uint64_t hist[BUCKETS + 1];
static uint64_t hist_n;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double read_double_be(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  double d;
  memcpy(&d, &v, 8);
  return d;
}

static void on_packet(struct sock *s, uint8_t *p, size_t len, double now) {
  if (len < 12 || (p[0] >> 6) != 2) return;
  uint8_t pt = p[1] & 0x7f;
  if (pt >= 64 && pt <= 95) return; /* RTCP */
  if (s->srtp) {
    int n = (int)len;
    if (srtp_dir_unprotect(s->srtp, p, &n) < 0) {
      pub_totals.srtp_errors++;
      return;
    }
    len = (size_t)n;
  }
  size_t header = 12 + (p[0] & 0x0f) * 4;
  if (p[0] & 0x10) {
    if (len < header + 4) return;
    header += 4 + ((p[header + 2] << 8) | p[header + 3]) * 4;
  }
  if (len < header + 8) return;
  if (s->first_ms == 0) s->first_ms = now;
  double delay = now - read_double_be(p + len - 8);
  size_t b = delay <= 0 ? 0 : (size_t)(delay / 0.01);
  hist[b > BUCKETS ? BUCKETS : b]++;
  hist_n++;
  uint32_t ssrc = ((uint32_t)p[8] << 24) | (p[9] << 16) | (p[10] << 8) | p[11];
  int64_t seq = (p[2] << 8) | p[3];
  struct stream *st = NULL;
  for (int i = 0; i < s->nstreams; i++)
    if (s->streams[i].ssrc == ssrc) { st = &s->streams[i]; break; }
  if (!st) {
    if (s->nstreams == MAX_STREAMS) return;
    st = &s->streams[s->nstreams++];
    st->ssrc = ssrc;
    st->max_seq = seq;
    st->base_seq = seq - 1;
    st->received = 1;
    return;
  }
  st->received++;
  int64_t ext = (st->max_seq & ~(int64_t)0xffff) | seq;
  if (ext < st->max_seq - 0x8000) ext += 0x10000;
  else if (ext > st->max_seq + 0x8000) ext -= 0x10000;
  if (ext > st->max_seq) st->max_seq = ext;
}

/* drain_null dequeues what a draining null port holds, copying nothing, and counts it. */
static void drain_null(struct sock *s) {
  static struct mmsghdr msgs[BATCH];
  for (;;) {
    memset(msgs, 0, sizeof msgs);
    int n = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
    if (n <= 0) return;
    s->drained += (uint64_t)n;
    if (n < BATCH) return;
  }
}

static void drain(struct sock *s) {
  if (s->null == NULL_DRAIN) drain_null(s);
  if (s->null) return;
  static uint8_t bufs[BATCH][PKT];
  static struct iovec iov[BATCH];
  static struct mmsghdr msgs[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = PKT;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    double now = now_ms();
    for (int i = 0; i < n; i++) on_packet(s, bufs[i], msgs[i].msg_len, now);
    if (n < BATCH) return;
  }
}

static double percentile(double q) {
  if (hist_n == 0) return -1;
  uint64_t rank = (uint64_t)(q * hist_n + 0.999999), seen = 0;
  for (int i = 0; i <= BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return (i + 1) * 0.01;
  }
  return -1;
}

/* open_socket binds a UDP socket on 127.0.0.1 and answers "port <id> <port>". A counted or draining
 * socket gets a big buffer and is polled; a dropping null port gets the smallest buffer (SO_RCVBUF 0
 * is raised to the kernel's minimum, about two packets) and is never polled, so nearly everything
 * sent to it is dropped by the kernel at the socket, costing this process nothing. */
static void open_socket(int ep, int null) {
  int id = -1;
  for (int i = 0; i < MAX_SOCKETS; i++) if (!socks[i]) { id = i; break; }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int size = null == NULL_DROP ? 0 : 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof a;
  if (id < 0 || fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
    printf("error cannot open a socket: %s\n", strerror(errno));
    if (fd >= 0) close(fd);
    return;
  }
  struct sock *s = calloc(1, sizeof *s);
  s->fd = fd;
  s->null = null;
  socks[id] = s;
  if (null != NULL_DROP) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)id + 1 };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  printf("port %d %d\n", id, ntohs(a.sin_port));
}

/* publisher_command handles pub, start, unpub and pubs; 0 if `line` is none of them. */
static int publisher_command(int ep, char *line) {
  char a[64], b[128], c[160], d[160];
  int id;
  if (sscanf(line, "pub %63s %d", a, &id) == 2) {
    int slot = -1;
    for (int i = 0; i < MAX_PUBS; i++) if (!pubs[i]) { slot = i; break; }
    const char *error = "too many publishers";
    struct publisher *p = slot < 0 ? NULL : pub_open(a, id, now_ms(), &error);
    if (!p) {
      printf("error cannot open a publisher: %s\n", error);
      return 1;
    }
    pubs[slot] = p;
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = PUB_TAG(slot) };
    epoll_ctl(ep, EPOLL_CTL_ADD, p->fd, &ev);
    struct sockaddr_in local;
    socklen_t alen = sizeof local;
    getsockname(p->fd, (struct sockaddr *)&local, &alen);
    printf("pub %d %d %u %u %u %u\n", slot, ntohs(local.sin_port), p->audio.ssrc, p->video[0].ssrc, p->video[1].ssrc, p->video[2].ssrc);
    return 1;
  }
  int n = sscanf(line, "start %d %63s %159s %159s", &id, a, c, d);
  if (n >= 2) {
    struct publisher *p = id >= 0 && id < MAX_PUBS ? pubs[id] : NULL;
    const char *error = "no such publisher";
    if (p && strcmp(a, "plain") != 0) {
      if (n < 4) {
        error = "start <id> <suite> <our key> <server key>";
        p = NULL;
      } else {
        p->tx = srtp_dir_new(a, c, 1, &error);
        p->rx = p->tx ? srtp_dir_new(a, d, 0, &error) : NULL;
        if (!p->rx) {
          srtp_dir_free(p->tx);
          p->tx = NULL;
          p = NULL;
        }
      }
    }
    if (!p) {
      printf("error cannot start the publisher: %s\n", error);
      return 1;
    }
    p->started = 1;
    npubs_started++;
    printf("ok\n");
    return 1;
  }
  if (sscanf(line, "unpub %d", &id) == 1) {
    if (id >= 0 && id < MAX_PUBS && pubs[id]) {
      if (pubs[id]->started) npubs_started--;
      pub_close(pubs[id]);
      pubs[id] = NULL;
    }
    printf("ok\n");
    return 1;
  }
  if (strcmp(line, "pubs") == 0) {
    printf("pubs %llu %llu %llu %llu %llu\n", (unsigned long long)pub_totals.published, (unsigned long long)pub_totals.packets,
           (unsigned long long)pub_totals.key_frames, (unsigned long long)pub_totals.key_frame_requests, (unsigned long long)pub_totals.srtp_errors);
    return 1;
  }
  if (sscanf(line, "key %d %63s %127s", &id, a, b) == 3) {
    struct sock *s = id >= 0 && id < MAX_SOCKETS ? socks[id] : NULL;
    const char *error = "no such port";
    struct srtp_dir *dir = s && !s->null ? srtp_dir_new(a, b, 0, &error) : NULL;
    if (!dir) {
      printf("error cannot key the port: %s\n", error);
      return 1;
    }
    srtp_dir_free(s->srtp);
    s->srtp = dir;
    printf("ok\n");
    return 1;
  }
  return 0;
}

static void command(int ep, char *line) {
  if (publisher_command(ep, line)) {
  } else if (strncmp(line, "open", 4) == 0) {
    open_socket(ep, COUNTED);
  } else if (strncmp(line, "nulls", 5) == 0) {
    uint64_t drained = 0, dropped = 0;
    for (int i = 0; i < MAX_SOCKETS; i++) {
      if (!socks[i] || !socks[i]->null) continue;
      drain(socks[i]);
      uint32_t mem[SK_MEMINFO_VARS] = { 0 };
      socklen_t len = sizeof mem;
      getsockopt(socks[i]->fd, SOL_SOCKET, SO_MEMINFO, mem, &len);
      drained += socks[i]->drained;
      dropped += mem[SK_MEMINFO_DROPS];
    }
    printf("nulls %llu %llu\n", (unsigned long long)drained, (unsigned long long)dropped);
  } else if (strncmp(line, "null ", 5) == 0) {
    if (strcmp(line + 5, "drop") == 0) open_socket(ep, NULL_DROP);
    else if (strcmp(line + 5, "drain") == 0) open_socket(ep, NULL_DRAIN);
    else printf("error a null port drops or drains: null drop|drain\n");
  } else if (strncmp(line, "close ", 6) == 0) {
    int id = atoi(line + 6);
    if (id >= 0 && id < MAX_SOCKETS && socks[id]) {
      close(socks[id]->fd);
      srtp_dir_free(socks[id]->srtp);
      free(socks[id]);
      socks[id] = NULL;
    }
    printf("ok\n");
  } else if (strncmp(line, "reset", 5) == 0) {
    for (int i = 0; i < MAX_SOCKETS; i++) {
      if (!socks[i]) continue;
      drain(socks[i]);
      for (int j = 0; j < socks[i]->nstreams; j++) {
        socks[i]->streams[j].base_seq = socks[i]->streams[j].max_seq;
        socks[i]->streams[j].received = 0;
      }
    }
    memset(hist, 0, sizeof hist);
    hist_n = 0;
    printf("ok\n");
  } else if (strncmp(line, "report", 6) == 0) {
    uint64_t received = 0, expected = 0;
    for (int i = 0; i < MAX_SOCKETS; i++) {
      if (!socks[i]) continue;
      drain(socks[i]);
      for (int j = 0; j < socks[i]->nstreams; j++) {
        received += socks[i]->streams[j].received;
        expected += socks[i]->streams[j].max_seq - socks[i]->streams[j].base_seq;
      }
    }
    printf("report %llu %llu %.2f %.2f", (unsigned long long)received, (unsigned long long)expected, percentile(0.5), percentile(0.99));
    for (int i = 0; i < MAX_SOCKETS; i++)
      if (socks[i] && !socks[i]->null) printf(" %d:%d:%.3f", i, socks[i]->nstreams, socks[i]->first_ms);
    printf("\n");
  } else {
    printf("error unknown command\n");
  }
  fflush(stdout);
}

int main(void) {
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 0 };
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
  int tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec every = { .it_interval.tv_nsec = TICK_NS, .it_value.tv_nsec = TICK_NS };
  timerfd_settime(tick, 0, &every, NULL);
  struct epoll_event tev = { .events = EPOLLIN, .data.u32 = TICK_TAG };
  epoll_ctl(ep, EPOLL_CTL_ADD, tick, &tev);
  static char in[1 << 16];
  size_t have = 0;
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 1;
    for (int i = 0; i < n; i++) {
      uint32_t tag = events[i].data.u32;
      if (tag == TICK_TAG) {
        uint64_t expirations;
        if (read(tick, &expirations, sizeof expirations) < 0) continue;
        if (!npubs_started) continue;
        double now = now_ms();
        for (int j = 0; j < MAX_PUBS; j++) if (pubs[j]) pub_tick(pubs[j], now);
        continue;
      }
      if (tag > MAX_SOCKETS) {
        if (pubs[tag - PUB_TAG(0)]) pub_readable(pubs[tag - PUB_TAG(0)]);
        continue;
      }
      if (tag > 0) {
        if (socks[tag - 1]) drain(socks[tag - 1]);
        continue;
      }
      ssize_t r = read(0, in + have, sizeof in - have - 1);
      if (r <= 0) return 0;
      have += (size_t)r;
      char *start = in, *nl;
      while ((nl = memchr(start, '\n', have - (size_t)(start - in)))) {
        *nl = 0;
        command(ep, start);
        start = nl + 1;
      }
      have -= (size_t)(start - in);
      memmove(in, start, have);
    }
  }
}
