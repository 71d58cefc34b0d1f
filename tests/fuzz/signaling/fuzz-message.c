/* libFuzzer target: the signaling message parser must refuse any input cleanly, in both
 * directions, and whatever it accepts must serialise and parse again to the same text. */
#include "message.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
round_trip (const SamtalMsg *m, SamtalMsgDirection dir)
{
  g_autofree char *text = samtal_msg_serialize (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) back = samtal_msg_parse (text, strlen (text), dir, &error);
  if (back == NULL)
    abort (); /* our own output must always parse */
  g_autofree char *again = samtal_msg_serialize (back);
  if (strcmp (text, again) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size > 2 * SAMTAL_MSG_MAX_BYTES)
    return 0;
  for (int d = 0; d < 2; d++) {
    SamtalMsgDirection dir = d == 0 ? SAMTAL_MSG_FROM_CLIENT : SAMTAL_MSG_FROM_SERVER;
    g_autoptr (GError) error = NULL;
    g_autoptr (SamtalMsg) m = samtal_msg_parse ((const char *) data, size, dir, &error);
    if (m == NULL) {
      if (error == NULL || samtal_msg_error_wire_code (error) == NULL)
        abort ();
      continue;
    }
    round_trip (m, dir);
  }
  return 0;
}
