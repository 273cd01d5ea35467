/*
 * publisher: one synthetic participant's outgoing media in C, as bench/lib/publisher.ts sends it
 * (same packets, sizes, rates and timing; media-profile.ts holds the figures), for SRTP steps, where
 * protecting ~10k packets/s in Node would make the generator the bottleneck.
 */
#ifndef VECHE_PUBLISHER_H
#define VECHE_PUBLISHER_H
#include <stdint.h>
#include "srtp-session.h"

struct pub_stream {
  uint32_t ssrc;
  uint16_t seq;
  uint32_t timestamp, clock_rate, last_timestamp;
  double last_sent_at, next_report, due, interval;
  uint32_t packets, octets;
  /* video only */
  int layer;
  uint16_t picture_id;
  uint8_t tl0;
  int key_pending;
};

struct publisher {
  int fd;
  int started;
  struct srtp_dir *tx, *rx; /* NULL for plain RTP */
  struct pub_stream audio, video[3];
  int talking;
  double turn_at;
};

/* Totals over every publisher since the sink started (windows take differences). */
struct pub_totals {
  uint64_t published; /* audio + top-layer packets: what one subscriber of each publisher gets */
  uint64_t packets, key_frames, key_frame_requests, srtp_errors;
};
extern struct pub_totals pub_totals;

/* pub_open binds a socket on 127.0.0.1 connected to ip:port and picks SSRCs; NULL with *error. */
struct publisher *pub_open(const char *ip, int port, double now, const char **error);
/* pub_tick sends every packet due by `now` (CLOCK_MONOTONIC ms). */
void pub_tick(struct publisher *p, double now);
/* pub_readable reads the server's RTCP and marks the layers asked for a keyframe (PLI, FIR). */
void pub_readable(struct publisher *p);
void pub_close(struct publisher *p);
#endif
