/* turn.h — short-lived TURN credentials in coturn's use-auth-secret format (the TURN REST API).
 *
 * username = "<expiry unix seconds>:<participant_id>", credential = base64(HMAC-SHA1(secret,
 * username)). coturn, configured with the same static-auth-secret, accepts them until the expiry.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fills *username and *credential (transfer full). */
void samtal_turn_credentials (const char *secret, const char *participant_id, gint64 expires,
                              char **username, char **credential);

G_END_DECLS
