/* libFuzzer target: the relay's own checks of what the network hands it (relay/relay-sdp.h) —
 * participant offers (with the codec picked per m-line), answers (with their rejected m-lines),
 * trickled candidates, DTLS fingerprints and PEM certificates. The first byte chooses the check;
 * none may crash, hang or leak on any input. */
#include "relay/relay-sdp.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_offer (const char *text)
{
  GstSDPMessage *sdp = NULL;
  GPtrArray *sent = NULL;
  g_autoptr (GError) error = NULL;
  if (samtal_relay_sdp_check_offer (text, &sdp, &sent, &error)) {
    g_autoptr (GError) fp_error = NULL;
    g_free (samtal_relay_sdp_fingerprint (sdp, &fp_error));
    gst_sdp_message_free (sdp);
    g_ptr_array_unref (sent);
  }
}

static void
check_answer (const char *text, guint expected)
{
  GstSDPMessage *sdp = NULL;
  g_autoptr (GError) error = NULL;
  if (samtal_relay_sdp_check_answer (text, expected, &sdp, &error)) {
    g_strfreev (samtal_relay_sdp_rejected_mids (sdp));
    samtal_relay_sdp_fix_rejected_fingerprints (sdp);
    guint32 rtx_ssrc;
    guint rtx_pt;
    for (guint i = 0; i < 4; i++) {
      g_autofree char *mid = g_strdup_printf ("%u", i);
      samtal_relay_sdp_find_rtx (sdp, mid, 1234, 96, &rtx_ssrc, &rtx_pt);
      samtal_relay_sdp_has_format (sdp, mid, 97);
    }
    gst_sdp_message_free (sdp);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size < 1 || size > 70 * 1024)
    return 0;
  g_autofree char *text = g_strndup ((const char *) data + 1, size - 1);
  g_autoptr (GError) error = NULL;
  switch (data[0] % 4) {
  case 0:
    check_offer (text);
    break;
  case 1:
    check_answer (text, data[0] / 4 % 20);
    break;
  case 2:
    (void) samtal_relay_candidate_check (text, &error);
    break;
  default:
    g_free (samtal_relay_pem_fingerprint (text));
    break;
  }
  return 0;
}
