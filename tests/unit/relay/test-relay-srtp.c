/* test-relay-srtp.c — the relay's SRTP (relay/relay-srtp.h) against libsrtp2, an independent
 * implementation: what one protects the other must unprotect, both profiles, across a sequence
 * number wrap, with CSRCs and header extensions; plus what must be refused (a changed byte, a
 * replay, a too old packet, the same index protected twice, malformed packets, too many SSRCs). */
#include "relay/relay-srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

#define BUF 1500

static const guint8 master[SAMTAL_SRTP_MASTER_LEN] = {
  0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
  0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static srtp_t
libsrtp_session (SamtalSrtpProfile profile, gboolean outbound)
{
  srtp_policy_t policy;
  srtp_t session = NULL;

  memset (&policy, 0, sizeof policy);
  if (profile == SAMTAL_SRTP_AES128_CM_SHA1_80)
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtp);
  else
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32 (&policy.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtcp);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = (unsigned char *) master;
  policy.window_size = 128;
  g_assert_cmpint (srtp_create (&session, &policy), ==, srtp_err_status_ok);
  return session;
}

/* An RTP packet: ssrc, seq, n CSRCs, an extension of ext words (0: none), payload bytes. */
static gsize
make_packet (guint8 *p, guint32 ssrc, guint16 seq, guint csrcs, guint ext, gsize payload)
{
  gsize n = 0;
  p[n++] = 0x80 | (ext ? 0x10 : 0) | csrcs;
  p[n++] = 96;
  p[n++] = seq >> 8;
  p[n++] = seq;
  for (int i = 0; i < 4; i++)
    p[n++] = (guint8) ((seq * 90u) >> (24 - 8 * i));
  for (int i = 0; i < 4; i++)
    p[n++] = (guint8) (ssrc >> (24 - 8 * i));
  for (guint c = 0; c < csrcs * 4; c++)
    p[n++] = (guint8) c;
  if (ext) {
    p[n++] = 0xbe;
    p[n++] = 0xde;
    p[n++] = 0;
    p[n++] = ext;
    for (guint i = 0; i < ext * 4; i++)
      p[n++] = (guint8) (i + 1);
  }
  for (gsize i = 0; i < payload; i++)
    p[n++] = (guint8) (i * 7 + seq);
  return n;
}

typedef struct {
  guint csrcs, ext;
  gsize payload;
} Shape;

static const Shape shapes[] = { { 0, 0, 1160 }, { 0, 0, 0 }, { 2, 0, 100 }, { 0, 3, 57 },
                                { 15, 1, 1 } };

/* n packets from first_seq on (wrapping) through protect → unprotect, both ways. */
static void
round_trip (SamtalSrtpProfile profile, guint16 first_seq, guint n)
{
  srtp_t ours_to_them = libsrtp_session (profile, FALSE);
  srtp_t them_to_ours = libsrtp_session (profile, TRUE);
  g_autoptr (SamtalSrtp) tx = samtal_srtp_new (profile, master, sizeof master, NULL);
  g_autoptr (SamtalSrtp) rx = samtal_srtp_new (profile, master, sizeof master, NULL);
  g_assert_nonnull (tx);
  g_assert_nonnull (rx);

  for (guint i = 0; i < n; i++) {
    const Shape *sh = &shapes[i % G_N_ELEMENTS (shapes)];
    guint16 seq = (guint16) (first_seq + i);
    guint8 plain[BUF], a[BUF], b[BUF];
    gsize len = make_packet (plain, 0x11223344, seq, sh->csrcs, sh->ext, sh->payload), out = 0;

    /* ours → libsrtp */
    memcpy (a, plain, len);
    g_assert_cmpint (samtal_srtp_protect (tx, a, len, sizeof a, &out), ==, SAMTAL_SRTP_OK);
    g_assert_cmpuint (out, ==, len + samtal_srtp_tag_len (tx));
    int l = (int) out;
    g_assert_cmpint (srtp_unprotect (ours_to_them, a, &l), ==, srtp_err_status_ok);
    g_assert_cmpint (l, ==, (int) len);
    g_assert_cmpmem (a, len, plain, len);

    /* libsrtp → ours */
    memcpy (b, plain, len);
    l = (int) len;
    g_assert_cmpint (srtp_protect (them_to_ours, b, &l), ==, srtp_err_status_ok);
    g_assert_cmpint (samtal_srtp_unprotect (rx, b, (gsize) l, &out), ==, SAMTAL_SRTP_OK);
    g_assert_cmpmem (b, out, plain, len);
  }
  srtp_dealloc (ours_to_them);
  srtp_dealloc (them_to_ours);
}

static void
test_interop_80 (void)
{
  round_trip (SAMTAL_SRTP_AES128_CM_SHA1_80, 1000, 300);
}

static void
test_interop_32 (void)
{
  round_trip (SAMTAL_SRTP_AES128_CM_SHA1_32, 1000, 300);
}

/* Across two roll-overs: the ROC goes into the IV and the tag on both sides. */
static void
test_interop_wrap (void)
{
  round_trip (SAMTAL_SRTP_AES128_CM_SHA1_80, 65400, 65536 + 400);
}

/* Protected by libsrtp, then handed to ours: reordered within the window across a wrap. */
static void
test_reorder (void)
{
  srtp_t them = libsrtp_session (SAMTAL_SRTP_AES128_CM_SHA1_80, TRUE);
  g_autoptr (SamtalSrtp) rx = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master,
                                               sizeof master, NULL);
  guint8 pk[40][BUF];
  int len[40];
  gsize out;

  for (int i = 0; i < 40; i++) {
    len[i] = (int) make_packet (pk[i], 7, (guint16) (65520 + i), 0, 0, 200);
    g_assert_cmpint (srtp_protect (them, pk[i], &len[i]), ==, srtp_err_status_ok);
  }
  static const int order[] = { 0, 2, 1, 5, 4, 3, 20, 6, 19, 7, 39, 8, 9, 10 };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_cmpint (samtal_srtp_unprotect (rx, pk[order[i]], (gsize) len[order[i]], &out), ==,
                     SAMTAL_SRTP_OK);
  srtp_dealloc (them);
}

/* A stream taken over late: libsrtp protected it from its start (past three roll-overs), ours
 * sees it from then on. With srtpdec's roll-over counter as a hint (exact, one behind, one ahead)
 * the first packet authenticates; without one only roll-over counters 0 and 1 are tried. */
static void
test_late_start (void)
{
  srtp_t them = libsrtp_session (SAMTAL_SRTP_AES128_CM_SHA1_80, TRUE);
  guint8 p[BUF];
  static const guint32 hints[] = { 3, 2, 4, G_MAXUINT32 };
  guint8 late[G_N_ELEMENTS (hints) + 1][BUF];
  int late_len[G_N_ELEMENTS (hints) + 1];
  gsize out;

  /* 3 * 65536 + 100 packets; keep the last few */
  for (guint32 i = 0; i < 3u * 65536u + 100u; i++) {
    int l = (int) make_packet (p, 42, (guint16) (500 + i), 0, 0, 8);
    g_assert_cmpint (srtp_protect (them, p, &l), ==, srtp_err_status_ok);
    guint32 from_end = 3u * 65536u + 99u - i;
    if (from_end < G_N_ELEMENTS (late)) {
      memcpy (late[from_end], p, (gsize) l);
      late_len[from_end] = l;
    }
  }
  for (guint k = 0; k < G_N_ELEMENTS (hints); k++) {
    g_autoptr (SamtalSrtp) rx = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master,
                                                 sizeof master, NULL);
    guint8 pk[BUF];
    memcpy (pk, late[1], (gsize) late_len[1]);
    if (hints[k] != G_MAXUINT32) {
      samtal_srtp_expect_roc (rx, 42, hints[k]);
      g_assert_cmpint (samtal_srtp_unprotect (rx, pk, (gsize) late_len[1], &out), ==,
                       SAMTAL_SRTP_OK);
      memcpy (pk, late[0], (gsize) late_len[0]);   /* and the next one, with the state it set */
      g_assert_cmpint (samtal_srtp_unprotect (rx, pk, (gsize) late_len[0], &out), ==,
                       SAMTAL_SRTP_OK);
    } else {
      g_assert_cmpint (samtal_srtp_unprotect (rx, pk, (gsize) late_len[1], &out), ==,
                       SAMTAL_SRTP_AUTH_FAILED);
    }
  }
  srtp_dealloc (them);
}

static void
test_refusals (void)
{
  g_autoptr (SamtalSrtp) tx = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master,
                                               sizeof master, NULL);
  g_autoptr (SamtalSrtp) rx = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master,
                                               sizeof master, NULL);
  guint8 p[BUF], copy[BUF], keep[BUF];
  gsize len = make_packet (p, 9, 100, 1, 1, 300), out, plen;

  g_assert_cmpint (samtal_srtp_protect (tx, p, len, sizeof p, &plen), ==, SAMTAL_SRTP_OK);
  /* the same index again: never (keystream reuse) */
  make_packet (copy, 9, 100, 1, 1, 300);
  g_assert_cmpint (samtal_srtp_protect (tx, copy, len, sizeof copy, &out), ==,
                   SAMTAL_SRTP_REPLAYED);
  /* any changed byte, header or payload or tag: refused and left as it was */
  for (gsize at = 0; at < plen; at += 37) {
    memcpy (copy, p, plen);
    copy[at] ^= 0x01;
    memcpy (keep, copy, plen);
    SamtalSrtpResult r = samtal_srtp_unprotect (rx, copy, plen, &out);
    g_assert_true (r == SAMTAL_SRTP_AUTH_FAILED || r == SAMTAL_SRTP_MALFORMED ||
                   r == SAMTAL_SRTP_REPLAYED);
    g_assert_cmpmem (copy, plen, keep, plen);
  }
  memcpy (copy, p, plen);
  g_assert_cmpint (samtal_srtp_unprotect (rx, copy, plen, &out), ==, SAMTAL_SRTP_OK);
  memcpy (copy, p, plen);
  g_assert_cmpint (samtal_srtp_unprotect (rx, copy, plen, &out), ==, SAMTAL_SRTP_REPLAYED);

  /* 128 behind the newest: too old */
  for (guint16 seq = 101; seq <= 300; seq++) {
    len = make_packet (copy, 9, seq, 0, 0, 10);
    g_assert_cmpint (samtal_srtp_protect (tx, copy, len, sizeof copy, &out), ==, SAMTAL_SRTP_OK);
    if (seq == 150)
      memcpy (keep, copy, out), plen = out;
    else
      g_assert_cmpint (samtal_srtp_unprotect (rx, copy, out, &out), ==, SAMTAL_SRTP_OK);
  }
  g_assert_cmpint (samtal_srtp_unprotect (rx, keep, plen, &out), ==, SAMTAL_SRTP_REPLAYED);
  len = make_packet (copy, 9, 150, 0, 0, 10);
  g_assert_cmpint (samtal_srtp_protect (tx, copy, len, sizeof copy, &out), ==,
                   SAMTAL_SRTP_REPLAYED);

  /* another key */
  guint8 other[SAMTAL_SRTP_MASTER_LEN] = { 1 };
  g_autoptr (SamtalSrtp) rx2 = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, other,
                                                sizeof other, NULL);
  len = make_packet (copy, 10, 5, 0, 0, 100);
  g_assert_cmpint (samtal_srtp_protect (tx, copy, len, sizeof copy, &out), ==, SAMTAL_SRTP_OK);
  g_assert_cmpint (samtal_srtp_unprotect (rx2, copy, out, &out), ==, SAMTAL_SRTP_AUTH_FAILED);
}

static void
test_malformed (void)
{
  g_autoptr (SamtalSrtp) s = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master,
                                              sizeof master, NULL);
  guint8 p[BUF] = { 0 };
  gsize out;

  g_assert_null (samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, master, 16, NULL));
  g_assert_cmpint (samtal_srtp_protect (s, p, 11, sizeof p, &out), ==, SAMTAL_SRTP_MALFORMED);
  gsize len = make_packet (p, 1, 1, 0, 0, 20);
  g_assert_cmpint (samtal_srtp_protect (s, p, len, len + 9, &out), ==, SAMTAL_SRTP_MALFORMED);
  p[0] = 0x40;   /* version 1 */
  g_assert_cmpint (samtal_srtp_protect (s, p, len, sizeof p, &out), ==, SAMTAL_SRTP_MALFORMED);
  g_assert_cmpint (samtal_srtp_unprotect (s, p, len, &out), ==, SAMTAL_SRTP_MALFORMED);
  len = make_packet (p, 1, 2, 15, 0, 0);   /* 15 CSRCs claimed, 2 present */
  g_assert_cmpint (samtal_srtp_protect (s, p, 20, sizeof p, &out), ==, SAMTAL_SRTP_MALFORMED);
  len = make_packet (p, 1, 3, 0, 2, 0);
  p[15] = 200;   /* extension longer than the packet */
  g_assert_cmpint (samtal_srtp_protect (s, p, len, sizeof p, &out), ==, SAMTAL_SRTP_MALFORMED);
  g_assert_cmpint (samtal_srtp_unprotect (s, p, 5, &out), ==, SAMTAL_SRTP_MALFORMED);
}

static void
test_too_many_ssrcs (void)
{
  g_autoptr (SamtalSrtp) s = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_32, master,
                                              sizeof master, NULL);
  guint8 p[BUF];
  gsize out;

  for (guint32 i = 0; i < SAMTAL_SRTP_MAX_STREAMS; i++) {
    gsize len = make_packet (p, i, 1, 0, 0, 10);
    g_assert_cmpint (samtal_srtp_protect (s, p, len, sizeof p, &out), ==, SAMTAL_SRTP_OK);
  }
  gsize len = make_packet (p, 9999, 1, 0, 0, 10);
  g_assert_cmpint (samtal_srtp_protect (s, p, len, sizeof p, &out), ==, SAMTAL_SRTP_TOO_MANY);
  len = make_packet (p, 3, 2, 0, 0, 10);   /* known SSRCs go on */
  g_assert_cmpint (samtal_srtp_protect (s, p, len, sizeof p, &out), ==, SAMTAL_SRTP_OK);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (srtp_init (), ==, srtp_err_status_ok);
  g_test_add_func ("/relay/srtp/interop-80", test_interop_80);
  g_test_add_func ("/relay/srtp/interop-32", test_interop_32);
  g_test_add_func ("/relay/srtp/interop-wrap", test_interop_wrap);
  g_test_add_func ("/relay/srtp/reorder", test_reorder);
  g_test_add_func ("/relay/srtp/late-start", test_late_start);
  g_test_add_func ("/relay/srtp/refusals", test_refusals);
  g_test_add_func ("/relay/srtp/malformed", test_malformed);
  g_test_add_func ("/relay/srtp/too-many-ssrcs", test_too_many_ssrcs);
  int ret = g_test_run ();
  srtp_shutdown ();
  return ret;
}
