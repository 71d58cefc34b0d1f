/* relay-srtp.h — SRTP (RFC 3711) for the relay's forwarding path: RTP packets protected and
 * unprotected in place with AES-128 counter mode and HMAC-SHA1 (80- or 32-bit tags), the two
 * profiles webrtcbin's DTLS handshake can agree on (SRTP_AES128_CM_SHA1_80/_32, RFC 5764).
 *
 * Why our own and not libsrtp: Debian's libsrtp2 does its AES and HMAC through NSS and makes a new
 * NSS context for every packet; that was a quarter of the relay's CPU per forwarded packet
 * (bench/README.md). Here the AES key schedule and the HMAC key are set up once per session and
 * OpenSSL's AES-NI/SHA code does the rest: about 1.5 µs per 1200-byte packet instead of ~14.
 * It is checked against libsrtp2 both ways (tests/unit/relay/test-relay-srtp.c) and fuzzed.
 *
 * RTCP is not handled here: it stays with webrtcbin's own SRTP elements. One SamtalSrtp is one
 * direction of one DTLS-SRTP transport (the master key and salt of that side), with a state per
 * SSRC (roll-over counter, the last 128 packet indexes: a receiver refuses a replayed or too old
 * packet, a sender refuses to protect an index twice — that would reuse keystream). Not
 * thread-safe: one thread at a time per SamtalSrtp (the caller holds a lock).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SAMTAL_SRTP_AES128_CM_SHA1_80,
  SAMTAL_SRTP_AES128_CM_SHA1_32,
} SamtalSrtpProfile;

typedef enum {
  SAMTAL_SRTP_OK,
  SAMTAL_SRTP_MALFORMED,     /* not an RTP packet, or no room for the tag */
  SAMTAL_SRTP_AUTH_FAILED,   /* the tag does not match: forged, damaged, or another key */
  SAMTAL_SRTP_REPLAYED,      /* this index was protected/accepted before, or is too old */
  SAMTAL_SRTP_TOO_MANY,      /* more SSRCs than SAMTAL_SRTP_MAX_STREAMS */
  SAMTAL_SRTP_CRYPTO_ERROR,  /* the crypto library failed (should not happen) */
} SamtalSrtpResult;

/* master key (16 bytes) followed by master salt (14 bytes), as DTLS-SRTP exports them */
#define SAMTAL_SRTP_MASTER_LEN 30
#define SAMTAL_SRTP_MAX_TAG 10
/* SSRCs one session keeps state for; forwarded streams are a few per participant */
#define SAMTAL_SRTP_MAX_STREAMS 256

typedef struct _SamtalSrtp SamtalSrtp;

/* NULL (and error) if the crypto library refuses the key. */
SamtalSrtp *samtal_srtp_new (SamtalSrtpProfile profile, const guint8 *master, gsize len,
                             GError **error);
void samtal_srtp_free (SamtalSrtp *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalSrtp, samtal_srtp_free)

/* Bytes the tag adds to a packet. */
gsize samtal_srtp_tag_len (const SamtalSrtp *s);

/* Encrypts the RTP packet pkt[0, len) in place and appends the tag: cap must be at least
 * len + samtal_srtp_tag_len (); *out_len gets the protected length. */
SamtalSrtpResult samtal_srtp_protect (SamtalSrtp *s, guint8 *pkt, gsize len, gsize cap,
                                      gsize *out_len);

/* Checks the tag of the SRTP packet pkt[0, len) and decrypts it in place; *out_len gets the RTP
 * length (without the tag). Nothing is changed unless it returns SAMTAL_SRTP_OK (or, should the
 * crypto library fail midway, SAMTAL_SRTP_CRYPTO_ERROR: then drop the packet). */
SamtalSrtpResult samtal_srtp_unprotect (SamtalSrtp *s, guint8 *pkt, gsize len, gsize *out_len);

/* The roll-over counter of a stream this session has not seen yet, as another decrypter of the
 * same stream knows it (srtpdec's stats, when the relay takes a stream over late: a publisher
 * that was alone for ten minutes is past its first wrap). Its first packet is then tried with
 * roc, roc + 1 and roc - 1; without a hint, with 0 and 1. Ignored for a known SSRC. */
void samtal_srtp_expect_roc (SamtalSrtp *s, guint32 ssrc, guint32 roc);

/* What a result means, in words (for logs). */
const char *samtal_srtp_result_string (SamtalSrtpResult r);

G_END_DECLS
