/* Unit tests for the SDP checks on participants' offers and answers. */
#include "sdpcheck.h"
#include "message.h"
#include "sdp-samples.h"

#include <string.h>

static gboolean
check (const char *sdp, SamtalSdpType type, char **why)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = samtal_sdp_check (sdp, strlen (sdp), type, &error);
  if (why != NULL)
    *why = error ? g_strdup (error->message) : NULL;
  g_assert_true (ok == (error == NULL));
  return ok;
}

static char *
replace (const char *in, const char *from, const char *to)
{
  g_auto (GStrv) parts = g_strsplit (in, from, -1);
  return g_strjoinv (to, parts);
}

static void
assert_bad (const char *sdp, SamtalSdpType type, const char *expect_in_message)
{
  g_autofree char *why = NULL;
  if (check (sdp, type, &why))
    g_error ("accepted:\n%s", sdp);
  if (strstr (why, expect_in_message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect_in_message, why);
}

static void
test_good (void)
{
  g_assert_true (check (SAMPLE_OFFER, SAMTAL_SDP_OFFER, NULL));
  g_assert_true (check (SAMPLE_ANSWER, SAMTAL_SDP_ANSWER, NULL));
  /* Bare \n line ends are tolerated. */
  g_autofree char *lf = replace (SAMPLE_OFFER, "\r\n", "\n");
  g_assert_true (check (lf, SAMTAL_SDP_OFFER, NULL));
}

static void
test_bad (void)
{
  assert_bad ("", SAMTAL_SDP_OFFER, "empty");
  assert_bad ("hello", SAMTAL_SDP_OFFER, "v=0");
  g_autofree char *ctrl = replace (SAMPLE_OFFER, "s=-", "s=\x01");
  assert_bad (ctrl, SAMTAL_SDP_OFFER, "malformed");
  g_autofree char *noeq = replace (SAMPLE_OFFER, "s=-", "garbage");
  assert_bad (noeq, SAMTAL_SDP_OFFER, "malformed");
  g_autofree char *app = replace (SAMPLE_OFFER, "m=video 9 UDP/TLS/RTP/SAVPF 96",
                                  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
  assert_bad (app, SAMTAL_SDP_OFFER, "audio and video");
  g_autofree char *plain = replace (SAMPLE_OFFER, "UDP/TLS/RTP/SAVPF", "RTP/AVP");
  assert_bad (plain, SAMTAL_SDP_OFFER, "SAVPF");
  g_autofree char *nofp = replace (SAMPLE_OFFER, "a=fingerprint", "a=fingerprinz");
  assert_bad (nofp, SAMTAL_SDP_OFFER, "fingerprint");
  g_autofree char *noufrag = replace (SAMPLE_OFFER, "a=ice-ufrag", "a=ice-ufraz");
  assert_bad (noufrag, SAMTAL_SDP_OFFER, "ICE");
  g_autofree char *nomid = replace (SAMPLE_OFFER, "a=mid:1\r\n", "");
  assert_bad (nomid, SAMTAL_SDP_OFFER, "mid");
  g_autofree char *dupmid = replace (SAMPLE_OFFER, "a=mid:1", "a=mid:0");
  assert_bad (dupmid, SAMTAL_SDP_OFFER, "duplicate");
  g_autofree char *h261 = replace (SAMPLE_OFFER, "VP8/90000", "H261/90000");
  g_autofree char *nocodec = replace (h261, "opus/48000/2", "PCMU/8000");
  assert_bad (nocodec, SAMTAL_SDP_OFFER, "Opus, VP8 or H264");
  g_autofree char *nomedia = g_strdup ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
  assert_bad (nomedia, SAMTAL_SDP_OFFER, "1 to 16");
  assert_bad (nomedia, SAMTAL_SDP_ANSWER, "1 to 64");
}

static void
test_too_many_mlines (void)
{
  GString *s = g_string_new ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                             "a=ice-ufrag:Ab12\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                             "a=fingerprint:sha-256 AA:BB\r\n");
  for (int i = 0; i < 16; i++)
    g_string_append_printf (s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:%d\r\n"
                               "a=rtpmap:111 opus/48000/2\r\n", i);
  g_assert_true (check (s->str, SAMTAL_SDP_OFFER, NULL));
  g_string_append (s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:16\r\n"
                     "a=rtpmap:111 opus/48000/2\r\n");
  assert_bad (s->str, SAMTAL_SDP_OFFER, "1 to 16");
  /* An answer mirrors the relay's offer, which grows with every join and leave: up to 64. */
  g_assert_true (check (s->str, SAMTAL_SDP_ANSWER, NULL));
  for (int i = 17; i < 64; i++)
    g_string_append_printf (s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:%d\r\n"
                               "a=rtpmap:111 opus/48000/2\r\n", i);
  g_assert_cmpuint (s->len, <, SAMTAL_MSG_MAX_SDP);
  g_assert_true (check (s->str, SAMTAL_SDP_ANSWER, NULL));
  g_string_append (s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:64\r\n"
                     "a=rtpmap:111 opus/48000/2\r\n");
  assert_bad (s->str, SAMTAL_SDP_ANSWER, "1 to 64");
  g_string_free (s, TRUE);
}

static void
test_long_line (void)
{
  g_autofree char *pad = g_strnfill (SAMTAL_SDP_MAX_LINE, 'x');
  g_autofree char *line = g_strdup_printf ("s=%s", pad);
  g_autofree char *sdp = replace (SAMPLE_OFFER, "s=-", line);
  assert_bad (sdp, SAMTAL_SDP_OFFER, "too long");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/signaling/sdp/good", test_good);
  g_test_add_func ("/signaling/sdp/bad", test_bad);
  g_test_add_func ("/signaling/sdp/too-many-mlines", test_too_many_mlines);
  g_test_add_func ("/signaling/sdp/long-line", test_long_line);
  return g_test_run ();
}
