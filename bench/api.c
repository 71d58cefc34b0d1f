/* api.c — synchronous JSON API calls over libsoup 3 (see api.h). */
#include "api.h"

#include <libsoup/soup.h>
#include <string.h>

#define API_TIMEOUT_S 30
#define API_MAX_BODY (16 * 1024 * 1024)

struct _BenchApi {
  SoupSession *session;
  char *base;
  char *token;
};

BenchApi *
bench_api_new (const char *base_url)
{
  BenchApi *api = g_new0 (BenchApi, 1);
  api->session = soup_session_new_with_options ("timeout", API_TIMEOUT_S, "max-conns", 4,
                                                "max-conns-per-host", 4, NULL);
  api->base = g_strdup (base_url);
  return api;
}

void
bench_api_free (BenchApi *api)
{
  if (api == NULL)
    return;
  g_clear_object (&api->session);
  g_free (api->base);
  if (api->token)
    memset (api->token, 0, strlen (api->token));
  g_free (api->token);
  g_free (api);
}

static GBytes *
send_message (BenchApi *api, const char *method, const char *path, const char *body,
              guint *status, GError **error)
{
  g_autofree char *uri = g_strconcat (api->base, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  if (msg == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad URI %s", uri);
    return NULL;
  }
  if (api->token) {
    g_autofree char *auth = g_strdup_printf ("Bearer %s", api->token);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  }
  if (body) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
    soup_message_set_request_body_from_bytes (msg, "application/json; charset=utf-8", bytes);
  }
  GBytes *answer = soup_session_send_and_read (api->session, msg, NULL, error);
  *status = soup_message_get_status (msg);
  return answer;
}

gboolean
bench_api_call (BenchApi *api, const char *method, const char *path, const char *body,
                guint *status, JsonNode **answer, GError **error)
{
  *answer = NULL;
  g_autoptr (GBytes) bytes = send_message (api, method, path, body, status, error);
  if (bytes == NULL)
    return FALSE;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    return TRUE;
  if (size > API_MAX_BODY) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s %s: answer too large", method, path);
    return FALSE;
  }
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, error))
    return FALSE;
  *answer = json_node_copy (json_parser_get_root (parser));
  return TRUE;
}

char *
bench_api_get_text (BenchApi *api, const char *path, GError **error)
{
  guint status = 0;
  g_autoptr (GBytes) bytes = send_message (api, "GET", path, NULL, &status, error);
  if (bytes == NULL)
    return NULL;
  if (status != 200) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: status %u", path, status);
    return NULL;
  }
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  return g_strndup (data, size);
}

gboolean
bench_api_login (BenchApi *api, const char *email, const char *password, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, email);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *body = json_to_string (root, FALSE);
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  if (!bench_api_call (api, "POST", "/api/v1/session", body, &status, &answer, error))
    return FALSE;
  const char *token = bench_json_string (answer, "token");
  if (status != 200 || token == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "login %s: status %u", email, status);
    return FALSE;
  }
  g_free (api->token);
  api->token = g_strdup (token);
  return TRUE;
}

static JsonObject *
object_of (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gint64
bench_json_int (JsonNode *node, const char *member)
{
  JsonObject *o = object_of (node);
  if (o == NULL || !json_object_has_member (o, member))
    return 0;
  JsonNode *m = json_object_get_member (o, member);
  return JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_INT64 ? json_node_get_int (m) : 0;
}

const char *
bench_json_string (JsonNode *node, const char *member)
{
  JsonObject *o = object_of (node);
  if (o == NULL || !json_object_has_member (o, member))
    return NULL;
  JsonNode *m = json_object_get_member (o, member);
  return JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING ? json_node_get_string (m) : NULL;
}
