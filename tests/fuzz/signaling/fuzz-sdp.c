/* libFuzzer target: the SDP checks on participants' offers and answers (GStreamer's SDP parser
 * plus samtal_sdp_check) must accept or refuse any input without crashing or leaking. */
#include "message.h"
#include "sdpcheck.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size > SAMTAL_MSG_MAX_SDP + 16)
    return 0;
  for (int t = 0; t < 2; t++) {
    g_autoptr (GError) error = NULL;
    gboolean ok = samtal_sdp_check ((const char *) data, size,
                                    t == 0 ? SAMTAL_SDP_OFFER : SAMTAL_SDP_ANSWER, &error);
    if (ok == (error != NULL))
      abort ();
  }
  return 0;
}
