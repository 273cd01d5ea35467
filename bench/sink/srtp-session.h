/*
 * srtp-session: one direction of an SRTP session for the generator, over Debian's libsrtp2 (the
 * library mediasoup's worker also uses, there built on OpenSSL). Built without VECHE_SRTP (no
 * libsrtp2 headers), every call fails with a message naming the package to install.
 */
#ifndef VECHE_SRTP_SESSION_H
#define VECHE_SRTP_SESSION_H
#include <stddef.h>

/* Bytes SRTP adds to a packet at most (tag, plus the SRTCP index word). */
#define SRTP_SLACK 32

struct srtp_dir;

/* srtp_dir_new makes an inbound or outbound session for `suite` (mediasoup's names) with the master
 * key+salt in hex; NULL with *error set when the suite, key or library is not right. */
struct srtp_dir *srtp_dir_new(const char *suite, const char *key_hex, int outbound, const char **error);
void srtp_dir_free(struct srtp_dir *d);
/* Each returns 0 and updates *len, or -1 (bad tag, replay, no room). `buf` has SRTP_SLACK spare bytes. */
int srtp_dir_protect(struct srtp_dir *d, unsigned char *buf, int *len);
int srtp_dir_protect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len);
int srtp_dir_unprotect(struct srtp_dir *d, unsigned char *buf, int *len);
int srtp_dir_unprotect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len);
#endif
