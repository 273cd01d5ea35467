/* srtp-session: see srtp-session.h. */
#include "srtp-session.h"
#include <stdlib.h>
#include <string.h>

#ifdef VECHE_SRTP
#include <srtp2/srtp.h>

struct srtp_dir {
  srtp_t ctx;
};

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct srtp_dir *srtp_dir_new(const char *suite, const char *key_hex, int outbound, const char **error) {
  static int initialized;
  if (!initialized) {
    if (srtp_init() != srtp_err_status_ok) {
      *error = "libsrtp2 did not initialize";
      return NULL;
    }
    initialized = 1;
  }
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  size_t want;
  /* The same crypto policies mediasoup's SrtpSession sets for each suite. */
  if (strcmp(suite, "AES_CM_128_HMAC_SHA1_80") == 0) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    want = 30;
  } else if (strcmp(suite, "AEAD_AES_128_GCM") == 0) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    want = 28;
  } else if (strcmp(suite, "AEAD_AES_256_GCM") == 0) {
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
    want = 44;
  } else {
    *error = "unknown suite (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, AEAD_AES_256_GCM)";
    return NULL;
  }
  unsigned char key[64];
  size_t n = strlen(key_hex) / 2;
  if (n != want || strlen(key_hex) % 2) {
    *error = "key length does not fit the suite";
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    int hi = hexval(key_hex[2 * i]), lo = hexval(key_hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      *error = "key is not hex";
      return NULL;
    }
    key[i] = (unsigned char)(hi << 4 | lo);
  }
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = key;
  policy.window_size = 1024;
  policy.allow_repeat_tx = 1;
  struct srtp_dir *d = calloc(1, sizeof *d);
  if (srtp_create(&d->ctx, &policy) != srtp_err_status_ok) {
    free(d);
    *error = "srtp_create failed (libsrtp2 without this suite?)";
    return NULL;
  }
  return d;
}

void srtp_dir_free(struct srtp_dir *d) {
  if (!d) return;
  srtp_dealloc(d->ctx);
  free(d);
}

int srtp_dir_protect(struct srtp_dir *d, unsigned char *buf, int *len) { return srtp_protect(d->ctx, buf, len) == srtp_err_status_ok ? 0 : -1; }
int srtp_dir_protect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len) { return srtp_protect_rtcp(d->ctx, buf, len) == srtp_err_status_ok ? 0 : -1; }
int srtp_dir_unprotect(struct srtp_dir *d, unsigned char *buf, int *len) { return srtp_unprotect(d->ctx, buf, len) == srtp_err_status_ok ? 0 : -1; }
int srtp_dir_unprotect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len) { return srtp_unprotect_rtcp(d->ctx, buf, len) == srtp_err_status_ok ? 0 : -1; }

#else

struct srtp_dir *srtp_dir_new(const char *suite, const char *key_hex, int outbound, const char **error) {
  (void)suite, (void)key_hex, (void)outbound;
  *error = "built without libsrtp2: install libsrtp2-dev (./setup does)";
  return NULL;
}
void srtp_dir_free(struct srtp_dir *d) { (void)d; }
int srtp_dir_protect(struct srtp_dir *d, unsigned char *buf, int *len) { (void)d, (void)buf, (void)len; return -1; }
int srtp_dir_protect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len) { (void)d, (void)buf, (void)len; return -1; }
int srtp_dir_unprotect(struct srtp_dir *d, unsigned char *buf, int *len) { (void)d, (void)buf, (void)len; return -1; }
int srtp_dir_unprotect_rtcp(struct srtp_dir *d, unsigned char *buf, int *len) { (void)d, (void)buf, (void)len; return -1; }
#endif
