/* turn.c — TURN REST API credentials (see turn.h), with GLib's GHmac. */
#include "turn.h"

#include <string.h>

void
samtal_turn_credentials (const char *secret, const char *participant_id, gint64 expires,
                         char **username, char **credential)
{
  *username = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expires, participant_id);
  g_autoptr (GHmac) mac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  g_hmac_update (mac, (const guchar *) *username, -1);
  guint8 digest[20];
  gsize len = sizeof digest;
  g_hmac_get_digest (mac, digest, &len);
  *credential = g_base64_encode (digest, len);
}
