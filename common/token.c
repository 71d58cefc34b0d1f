/* token.c — mints and verifies join tokens (see token.h for the format).
 *
 * The payload is parsed only after its mac verified, so a forged token never reaches the JSON
 * parser with attacker-chosen content; lengths are bounded before anything is decoded.
 */
#include "token.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#define TOKEN_PREFIX "st1."

G_DEFINE_QUARK (samtal-token-error-quark, samtal_token_error)

gboolean
samtal_role_is_staff (const char *role)
{
  return g_strcmp0 (role, "caseworker") == 0 || g_strcmp0 (role, "officer") == 0 ||
         g_strcmp0 (role, "admin") == 0;
}

SamtalJoinClaims *
samtal_join_claims_new (void)
{
  return g_new0 (SamtalJoinClaims, 1);
}

void
samtal_join_claims_free (SamtalJoinClaims *claims)
{
  if (claims == NULL)
    return;
  g_free (claims->participant_id);
  g_free (claims->role);
  g_free (claims->name);
  g_free (claims);
}

static char *
b64url_encode (const guint8 *data, gsize len)
{
  gsize out_len = sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = g_malloc (out_len);
  sodium_bin2base64 (out, out_len, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

static GBytes *
b64url_decode (const char *text, gsize text_len)
{
  gsize max = text_len * 3 / 4 + 3;
  guint8 *buf = g_malloc (max);
  size_t bin_len = 0;
  const char *end = NULL;
  if (sodium_base642bin (buf, max, text, text_len, NULL, &bin_len, &end,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text + text_len) {
    g_free (buf);
    return NULL;
  }
  return g_bytes_new_take (buf, bin_len);
}

static char *
claims_to_json (const SamtalJoinClaims *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "b");
  json_builder_add_int_value (b, c->booking_id);
  json_builder_set_member_name (b, "p");
  json_builder_add_string_value (b, c->participant_id ? c->participant_id : "");
  json_builder_set_member_name (b, "r");
  json_builder_add_string_value (b, c->role ? c->role : "");
  json_builder_set_member_name (b, "n");
  json_builder_add_string_value (b, c->name ? c->name : "");
  json_builder_set_member_name (b, "nbf");
  json_builder_add_int_value (b, c->not_before);
  json_builder_set_member_name (b, "exp");
  json_builder_add_int_value (b, c->expires);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

char *
samtal_token_mint (const guint8 *key, const SamtalJoinClaims *claims)
{
  g_autofree char *json = claims_to_json (claims);
  g_autofree char *payload = b64url_encode ((const guint8 *) json, strlen (json));
  g_autofree char *signed_part = g_strconcat (TOKEN_PREFIX, payload, NULL);
  guint8 mac[crypto_auth_BYTES];
  crypto_auth (mac, (const guint8 *) signed_part, strlen (signed_part), key);
  g_autofree char *mac_text = b64url_encode (mac, sizeof mac);
  return g_strconcat (signed_part, ".", mac_text, NULL);
}

static gboolean
get_string_member (JsonObject *o, const char *name, char **out)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static gboolean
get_int_member (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static SamtalJoinClaims *
claims_from_json (const char *json, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, (gssize) len, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  JsonObject *o = json_node_get_object (root);
  g_autoptr (SamtalJoinClaims) c = samtal_join_claims_new ();
  if (!get_int_member (o, "b", &c->booking_id) || !get_string_member (o, "p", &c->participant_id) ||
      !get_string_member (o, "r", &c->role) || !get_string_member (o, "n", &c->name) ||
      !get_int_member (o, "nbf", &c->not_before) || !get_int_member (o, "exp", &c->expires))
    return NULL;
  return g_steal_pointer (&c);
}

SamtalJoinClaims *
samtal_token_verify (const guint8 *key, const char *token, gint64 now, GError **error)
{
  if (token == NULL || strnlen (token, SAMTAL_TOKEN_MAX_LEN + 1) > SAMTAL_TOKEN_MAX_LEN ||
      !g_str_has_prefix (token, TOKEN_PREFIX)) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_MALFORMED,
                         "not a join token");
    return NULL;
  }
  const char *payload = token + strlen (TOKEN_PREFIX);
  const char *dot = strchr (payload, '.');
  if (dot == NULL || dot == payload) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_MALFORMED,
                         "not a join token");
    return NULL;
  }
  g_autoptr (GBytes) mac = b64url_decode (dot + 1, strlen (dot + 1));
  if (mac == NULL || g_bytes_get_size (mac) != crypto_auth_BYTES ||
      crypto_auth_verify (g_bytes_get_data (mac, NULL), (const guint8 *) token,
                          (unsigned long long) (dot - token), key) != 0) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_FORGED,
                         "the join token is not valid");
    return NULL;
  }
  g_autoptr (GBytes) json = b64url_decode (payload, (gsize) (dot - payload));
  SamtalJoinClaims *claims = NULL;
  if (json != NULL)
    claims = claims_from_json (g_bytes_get_data (json, NULL), g_bytes_get_size (json));
  if (claims == NULL) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_MALFORMED,
                         "the join token's contents are malformed");
    return NULL;
  }
  if (now < claims->not_before) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_TOO_EARLY,
                         "the meeting has not opened yet");
    samtal_join_claims_free (claims);
    return NULL;
  }
  if (now >= claims->expires) {
    g_set_error_literal (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_EXPIRED,
                         "the join token has expired");
    samtal_join_claims_free (claims);
    return NULL;
  }
  return claims;
}
