/*
 * Property check of libsrtp's stream lookup with our libsrtp patches (build/mediasoup-worker/FIXES.md,
 * "libsrtp"), through libsrtp's public API as the worker uses it: one outbound session keyed for any
 * SSRC (a stream is cloned per new SSRC, as for a receiver's transport), one inbound session.
 * For each suite the worker offers, 300 SSRCs in random order, streams removed and re-created at
 * random, every packet protected, unprotected and compared with what was sent; then a session
 * update (rekey) and teardown. Exits non-zero with the first mismatch.
 *   checks/srtp-streams [--time N]   (--time: ns per protect with N streams, round robin, no checking)
 */
#include <arpa/inet.h>
#include <srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAIL(...)                                                                                  \
	do {                                                                                             \
		fprintf(stderr, "srtp-streams: " __VA_ARGS__);                                                 \
		fputc('\n', stderr);                                                                           \
		exit(1);                                                                                       \
	} while (0)

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

enum { SUITES = 3, SSRCS = 300, PACKETS = 60000, MAX_PACKET = 1500 };
static const char *suite_names[SUITES] = { "AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80" };

static void set_suite(srtp_policy_t *p, int suite)
{
	if (suite == 0) {
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
	} else if (suite == 1) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
	} else {
		srtp_crypto_policy_set_rtp_default(&p->rtp);
		srtp_crypto_policy_set_rtcp_default(&p->rtcp);
	}
}

static srtp_t session(int suite, srtp_ssrc_type_t type, unsigned char *key)
{
	srtp_policy_t p;
	memset(&p, 0, sizeof(p));
	set_suite(&p, suite);
	p.ssrc.type = type;
	p.key = key;
	p.window_size = 1024;
	p.allow_repeat_tx = 1; /* the worker allows it too (retransmissions) */
	srtp_t s;
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		FAIL("srtp_create failed (%s)", suite_names[suite]);
	return s;
}

/* make_packet writes an RTP packet of `len` bytes (12-byte header + payload) for `ssrc`/`seq`. */
static void make_packet(uint8_t *b, int len, uint32_t ssrc, uint16_t seq)
{
	b[0] = 0x80;
	b[1] = 96;
	b[2] = seq >> 8;
	b[3] = seq & 0xff;
	uint32_t ts = seq * 3000u;
	b[4] = ts >> 24, b[5] = ts >> 16, b[6] = ts >> 8, b[7] = ts;
	b[8] = ssrc >> 24, b[9] = ssrc >> 16, b[10] = ssrc >> 8, b[11] = ssrc;
	for (int i = 12; i < len; i++)
		b[i] = (uint8_t)(ssrc + seq + i);
}

static void check_suite(int suite)
{
	unsigned char key[SRTP_MAX_KEY_LEN];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)rnd();
	srtp_t tx = session(suite, ssrc_any_outbound, key);
	srtp_t rx = session(suite, ssrc_any_inbound, key);

	uint32_t ssrcs[SSRCS];
	uint16_t seqs[SSRCS];
	for (int i = 0; i < SSRCS; i++) {
		ssrcs[i] = rnd();
		for (int j = 0; j < i; j++)
			if (ssrcs[j] == ssrcs[i])
				ssrcs[i] = rnd(), j = -1;
		seqs[i] = (uint16_t)rnd();
	}
	uint8_t sent[MAX_PACKET], wire[MAX_PACKET + SRTP_MAX_TRAILER_LEN];
	long removed = 0;
	for (long n = 0; n < PACKETS; n++) {
		int i = (int)(rnd() % SSRCS);
		if (rnd() % 50 == 0) {
			/* A consumer closed and came back: its stream goes on both sides, then starts over. */
			if (srtp_remove_stream(tx, htonl(ssrcs[i])) == srtp_err_status_ok)
				removed++;
			srtp_remove_stream(rx, htonl(ssrcs[i]));
		}
		int len = 12 + 88 + (int)(rnd() % 1100);
		make_packet(sent, len, ssrcs[i], seqs[i]++);
		memcpy(wire, sent, len);
		int wlen = len;
		srtp_err_status_t st = srtp_protect(tx, wire, &wlen);
		if (st != srtp_err_status_ok)
			FAIL("%s: protect of ssrc %08x seq %u failed (%d)", suite_names[suite], ssrcs[i], seqs[i] - 1, st);
		st = srtp_unprotect(rx, wire, &wlen);
		if (st != srtp_err_status_ok)
			FAIL("%s: unprotect of ssrc %08x seq %u failed (%d)", suite_names[suite], ssrcs[i], seqs[i] - 1, st);
		if (wlen != len || memcmp(wire, sent, len) != 0)
			FAIL("%s: ssrc %08x seq %u came back different", suite_names[suite], ssrcs[i], seqs[i] - 1);
	}
	/* A stream removed twice is an error the second time (it is gone). */
	if (srtp_remove_stream(tx, htonl(ssrcs[0])) == srtp_err_status_ok &&
	    srtp_remove_stream(tx, htonl(ssrcs[0])) == srtp_err_status_ok)
		FAIL("%s: a removed stream was found again", suite_names[suite]);
	/* Rekey both sides (srtp_update walks and rebuilds the stream list), then one more round. */
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)rnd();
	srtp_policy_t p;
	memset(&p, 0, sizeof(p));
	set_suite(&p, suite);
	p.key = key;
	p.window_size = 1024;
	p.allow_repeat_tx = 1;
	p.ssrc.type = ssrc_any_outbound;
	if (srtp_update(tx, &p) != srtp_err_status_ok)
		FAIL("%s: srtp_update (outbound) failed", suite_names[suite]);
	p.ssrc.type = ssrc_any_inbound;
	if (srtp_update(rx, &p) != srtp_err_status_ok)
		FAIL("%s: srtp_update (inbound) failed", suite_names[suite]);
	for (int i = 1; i < SSRCS; i++) {
		make_packet(sent, 200, ssrcs[i], seqs[i]++);
		memcpy(wire, sent, 200);
		int wlen = 200;
		if (srtp_protect(tx, wire, &wlen) != srtp_err_status_ok || srtp_unprotect(rx, wire, &wlen) != srtp_err_status_ok ||
		    wlen != 200 || memcmp(wire, sent, 200) != 0)
			FAIL("%s: ssrc %08x failed after the rekey", suite_names[suite], ssrcs[i]);
	}
	if (srtp_dealloc(tx) != srtp_err_status_ok || srtp_dealloc(rx) != srtp_err_status_ok)
		FAIL("%s: srtp_dealloc failed", suite_names[suite]);
	printf("srtp-streams: %s: %d SSRCs, %d packets round-tripped, %ld streams removed and re-created, rekeyed: ok\n",
	       suite_names[suite], SSRCS, PACKETS, removed);
}

/* time_protect prints CPU ns per srtp_protect of a 1,100-byte packet over `streams` SSRCs, round robin. */
static void time_protect(int streams)
{
	unsigned char key[SRTP_MAX_KEY_LEN] = { 1 };
	srtp_t tx = session(0, ssrc_any_outbound, key);
	uint8_t b[MAX_PACKET + SRTP_MAX_TRAILER_LEN];
	const long n = 2000000;
	struct timespec t0, t1;
	for (long k = -streams; k < n; k++) {
		if (k == 0)
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		int s = (int)((k + streams) % streams);
		make_packet(b, 1100, 0x1000u + (uint32_t)s * 7919u, (uint16_t)((k + streams) / streams));
		int len = 1100;
		if (srtp_protect(tx, b, &len) != srtp_err_status_ok)
			FAIL("protect failed in timing");
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
	printf("%d streams: %.0f ns per protect (AEAD_AES_256_GCM, 1100 bytes, packet writing included)\n", streams, ns);
	srtp_dealloc(tx);
}

int main(int argc, char **argv)
{
	if (srtp_init() != srtp_err_status_ok)
		FAIL("srtp_init failed");
	if (argc == 3 && strcmp(argv[1], "--time") == 0) {
		time_protect(atoi(argv[2]));
		return 0;
	}
	for (int s = 0; s < SUITES; s++)
		check_suite(s);
	return 0;
}
