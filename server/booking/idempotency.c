/* idempotency.c — the Idempotency-Key header: a retried POST gets the stored answer.
 *
 * A key is scoped per user and per operation; the request hash (method, path, canonical JSON
 * body) detects a reused key with a different request (422). Answers are stored inside the
 * caller's transaction, so they exist exactly when the change they describe committed. Keys are
 * kept at least 24 hours (SAMTAL_IDEM_RETENTION_SECONDS), then removed as new keys arrive.
 */
#include "booking-private.h"

#include <string.h>

/* ---------- idempotency ---------- */

static gboolean
idem_key_ok (const char *key)
{
  gsize len = strlen (key);
  if (len == 0 || len > SAMTAL_IDEM_KEY_MAX_CHARS)
    return FALSE;
  for (const char *p = key; *p; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

static char *
idem_request_hash (SamtalRequest *req)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, samtal_request_body (req));
  g_autofree char *body = json_to_string (node, FALSE);
  g_autofree char *text = g_strconcat (samtal_request_method (req), " ",
                                       samtal_request_path (req), "\n", body, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

gboolean
booking_idem_replay (SamtalRequest *req, const char *scope)
{
  const char *key = samtal_request_header (req, "Idempotency-Key");
  const SamtalUser *me = samtal_request_user (req);
  if (key == NULL || me == NULL)
    return FALSE;
  if (!idem_key_ok (key)) {
    samtal_reply_error (req, 400, "bad_request",
                        "Idempotency-Key: 1 to 200 printable ASCII characters");
    return TRUE;
  }
  SamtalServer *server = samtal_request_server (req);
  g_autofree char *scoped = g_strconcat (scope, " ", key, NULL);
  g_autofree char *hash = NULL, *body = NULL;
  guint status = 0;
  if (!samtal_idem_lookup (server->store, me->id, scoped, &hash, &status, &body))
    return FALSE;
  g_autofree char *now_hash = idem_request_hash (req);
  if (g_strcmp0 (hash, now_hash) != 0) {
    samtal_reply_error (req, 422, "unprocessable",
                        "this Idempotency-Key was already used for a different request");
    return TRUE;
  }
  samtal_reply_header (req, "Idempotent-Replayed", "true");
  samtal_reply_json (req, status, json_from_string (body, NULL));
  return TRUE;
}

gboolean
booking_idem_remember (SamtalRequest *req, const char *scope, guint status, JsonNode *answer,
                       GError **error)
{
  const char *key = samtal_request_header (req, "Idempotency-Key");
  const SamtalUser *me = samtal_request_user (req);
  if (key == NULL || me == NULL)
    return TRUE;
  SamtalServer *server = samtal_request_server (req);
  g_autofree char *scoped = g_strconcat (scope, " ", key, NULL);
  g_autofree char *hash = idem_request_hash (req);
  g_autofree char *body = json_to_string (answer, FALSE);
  return samtal_idem_store (server->store, me->id, scoped, hash, status, body,
                            booking_now (server), error);
}
