/* http.c — the router and the request: matching, auth/CSRF gate, body parsing, replies.
 *
 * One default handler on the SoupServer receives every request (the WebSocket at /ws has its own
 * handler). It sets the security headers, then either dispatches to a registered route, answers
 * 404/405 for unknown API paths, or serves a static file. */
#include "http-private.h"

#include <string.h>

#include "auth.h"

typedef struct {
  char *method;
  char *pattern;
  char **segments;
  guint n_segments;
  guint n_literals;
  SamtalHandler handler;
  SamtalRouteFlags flags;
  gpointer user_data;
  GDestroyNotify destroy;
} Route;

struct _SamtalRouter {
  SamtalServer *server;
  GPtrArray *routes;
};

struct _SamtalRequest {
  gint ref;
  SamtalServer *server;
  SoupServerMessage *msg;
  char *path;
  GHashTable *params;
  GHashTable *query;
  JsonObject *body;
  GBytes *raw_body;
  SamtalUser *user;
  char *remote_addr;
  gboolean replied;
  gboolean paused;
  gboolean finished;
  gulong finished_id;
};

static const char csp[] =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
  "media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; "
  "base-uri 'none'; form-action 'self'; object-src 'none'";

/* --- routes --- */

static void
route_free (Route *r)
{
  if (r->destroy)
    r->destroy (r->user_data);
  g_free (r->method);
  g_free (r->pattern);
  g_strfreev (r->segments);
  g_free (r);
}

SamtalRouter *
samtal_router_new (SamtalServer *server)
{
  SamtalRouter *router = g_new0 (SamtalRouter, 1);
  router->server = server;
  router->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  return router;
}

void
samtal_router_free (SamtalRouter *router)
{
  if (router == NULL)
    return;
  g_ptr_array_unref (router->routes);
  g_free (router);
}

static gboolean
is_param (const char *segment)
{
  gsize n = strlen (segment);
  return n > 2 && segment[0] == '{' && segment[n - 1] == '}';
}

void
samtal_router_add_full (SamtalRouter *router, const char *method, const char *pattern,
                        SamtalHandler handler, SamtalRouteFlags flags, gpointer user_data,
                        GDestroyNotify destroy)
{
  g_return_if_fail (pattern != NULL && pattern[0] == '/');
  for (guint i = 0; i < router->routes->len; i++)
    {
      Route *o = g_ptr_array_index (router->routes, i);
      if (g_str_equal (o->method, method) && g_str_equal (o->pattern, pattern))
        g_error ("route %s %s registered twice", method, pattern);
    }
  Route *r = g_new0 (Route, 1);
  r->method = g_ascii_strup (method, -1);
  r->pattern = g_strdup (pattern);
  r->segments = g_strsplit (pattern + 1, "/", -1);
  r->n_segments = g_strv_length (r->segments);
  for (guint i = 0; i < r->n_segments; i++)
    r->n_literals += !is_param (r->segments[i]);
  r->handler = handler;
  r->flags = flags;
  r->user_data = user_data;
  r->destroy = destroy;
  g_ptr_array_add (router->routes, r);
}

void
samtal_router_add (SamtalRouter *router, const char *method, const char *pattern,
                   SamtalHandler handler, SamtalRouteFlags flags)
{
  samtal_router_add_full (router, method, pattern, handler, flags, NULL, NULL);
}

/* Does r's pattern match the path segments? Fills params (if not NULL) on a match. */
static gboolean
route_matches_path (const Route *r, char **segs, guint n, GHashTable *params)
{
  if (r->n_segments != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (is_param (r->segments[i]))
        {
          if (segs[i][0] == '\0')
            return FALSE;
          continue;
        }
      if (!g_str_equal (r->segments[i], segs[i]))
        return FALSE;
    }
  for (guint i = 0; params && i < n; i++)
    if (is_param (r->segments[i]))
      g_hash_table_replace (params,
                            g_strndup (r->segments[i] + 1, strlen (r->segments[i]) - 2),
                            g_strdup (segs[i]));
  return TRUE;
}

static Route *
router_find (SamtalRouter *router, const char *method, const char *path, GHashTable **params,
             gboolean *path_known)
{
  *path_known = FALSE;
  if (path == NULL || path[0] != '/')
    return NULL;
  g_auto (GStrv) segs = g_strsplit (path + 1, "/", -1);
  guint n = g_strv_length (segs);
  Route *best = NULL;
  for (guint i = 0; i < router->routes->len; i++)
    {
      Route *r = g_ptr_array_index (router->routes, i);
      if (!route_matches_path (r, segs, n, NULL))
        continue;
      *path_known = TRUE;
      if (g_ascii_strcasecmp (r->method, method) == 0
          && (best == NULL || r->n_literals > best->n_literals))
        best = r;
    }
  if (best && params)
    {
      *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      route_matches_path (best, segs, n, *params);
    }
  return best;
}

gboolean
samtal_router_match (SamtalRouter *router, const char *method, const char *path,
                     GHashTable **params, gboolean *path_known)
{
  gboolean known = FALSE;
  if (params)
    *params = NULL;
  Route *r = router_find (router, method, path, params, &known);
  if (path_known)
    *path_known = known;
  return r != NULL;
}

/* The methods registered for path, for the Allow header of a 405. */
static char *
router_allowed (SamtalRouter *router, const char *path)
{
  g_auto (GStrv) segs = g_strsplit (path + 1, "/", -1);
  guint n = g_strv_length (segs);
  GString *allow = g_string_new (NULL);
  for (guint i = 0; i < router->routes->len; i++)
    {
      Route *r = g_ptr_array_index (router->routes, i);
      if (route_matches_path (r, segs, n, NULL) && !strstr (allow->str, r->method))
        g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", r->method);
    }
  return g_string_free (allow, FALSE);
}

/* --- requests --- */

static void
on_message_finished (SoupServerMessage *msg, gpointer data)
{
  SamtalRequest *req = data;
  req->finished = TRUE;
}

static SamtalRequest *
request_new (SamtalServer *server, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SamtalRequest *req = g_new0 (SamtalRequest, 1);
  req->ref = 1;
  req->server = server;
  req->msg = g_object_ref (msg);
  req->path = g_strdup (path);
  req->query = query ? g_hash_table_ref (query) : NULL;
  const char *host = soup_server_message_get_remote_host (msg);
  req->remote_addr = g_strdup (host ? host : "unknown");
  req->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), req);
  return req;
}

SamtalRequest *
samtal_request_ref (SamtalRequest *req)
{
  g_atomic_int_inc (&req->ref);
  return req;
}

void
samtal_request_unref (SamtalRequest *req)
{
  if (req == NULL || !g_atomic_int_dec_and_test (&req->ref))
    return;
  if (!req->replied && !req->finished)
    {
      g_warning ("%s %s: handler did not reply", soup_server_message_get_method (req->msg),
                 req->path);
      samtal_reply_error (req, 500, "internal", "the request was not answered");
    }
  g_signal_handler_disconnect (req->msg, req->finished_id);
  g_object_unref (req->msg);
  g_free (req->path);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_clear_pointer (&req->body, json_object_unref);
  g_clear_pointer (&req->raw_body, g_bytes_unref);
  samtal_user_free (req->user);
  g_free (req->remote_addr);
  g_free (req);
}

SamtalRequest *
samtal_request_hold (SamtalRequest *req)
{
  if (!req->paused && !req->replied)
    {
      soup_server_message_pause (req->msg);
      req->paused = TRUE;
    }
  return samtal_request_ref (req);
}

SamtalServer *samtal_request_server (SamtalRequest *req) { return req->server; }
SoupServerMessage *samtal_request_message (SamtalRequest *req) { return req->msg; }
const char *samtal_request_path (SamtalRequest *req) { return req->path; }
const SamtalUser *samtal_request_user (SamtalRequest *req) { return req->user; }
const char *samtal_request_remote_addr (SamtalRequest *req) { return req->remote_addr; }
gboolean samtal_request_replied (SamtalRequest *req) { return req->replied; }
GBytes *samtal_request_raw_body (SamtalRequest *req) { return req->raw_body; }

const char *
samtal_request_method (SamtalRequest *req)
{
  return soup_server_message_get_method (req->msg);
}

gboolean
samtal_request_is_tls (SamtalRequest *req)
{
  return req->server->config->tls_cert != NULL;
}

const char *
samtal_request_param (SamtalRequest *req, const char *name)
{
  return req->params ? g_hash_table_lookup (req->params, name) : NULL;
}

gboolean
samtal_request_param_int64 (SamtalRequest *req, const char *name, gint64 *out)
{
  const char *text = samtal_request_param (req, name);
  if (!samtal_check_int64 (text, name, 1, G_MAXINT64, out, NULL))
    {
      samtal_reply_error (req, 404, "not_found", "no such %s", name);
      return FALSE;
    }
  return TRUE;
}

const char *
samtal_request_query (SamtalRequest *req, const char *name)
{
  return req->query ? g_hash_table_lookup (req->query, name) : NULL;
}

gboolean
samtal_request_query_int64 (SamtalRequest *req, const char *name, gint64 min, gint64 max,
                            gint64 dflt, gint64 *out)
{
  g_autoptr (GError) error = NULL;
  const char *text = samtal_request_query (req, name);
  *out = dflt;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (!samtal_check_int64 (text, name, min, max, out, &error))
    {
      samtal_reply_gerror (req, error);
      return FALSE;
    }
  return TRUE;
}

JsonObject *
samtal_request_body (SamtalRequest *req)
{
  if (req->body == NULL)
    req->body = json_object_new ();
  return req->body;
}

const char *
samtal_request_header (SamtalRequest *req, const char *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), name);
}

gboolean
samtal_request_workers_busy (SamtalRequest *req)
{
  if (samtal_server_worker_backlog (req->server) < SAMTAL_WORKER_BACKLOG_MAX)
    return FALSE;
  samtal_reply_header (req, "Retry-After", "2");
  samtal_reply_error (req, 503, "unavailable", "the server is busy; try again in a moment");
  return TRUE;
}

/* --- replies --- */

void
samtal_http_security_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Content-Security-Policy", csp);
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (h, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (h, "X-Frame-Options", "DENY");
  soup_message_headers_replace (h, "Cross-Origin-Opener-Policy", "same-origin");
}

static void
request_finish_reply (SamtalRequest *req)
{
  req->replied = TRUE;
  if (req->paused && !req->finished)
    soup_server_message_unpause (req->msg);
  req->paused = FALSE;
}

static gboolean
request_can_reply (SamtalRequest *req)
{
  if (req->replied)
    {
      g_warning ("%s: replied twice", req->path);
      return FALSE;
    }
  if (req->finished)
    {
      req->replied = TRUE;
      return FALSE;
    }
  return TRUE;
}

void
samtal_reply_header (SamtalRequest *req, const char *name, const char *value)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), name, value);
}

/* Reason phrases libsoup does not know. */
static const char *
status_phrase (guint status)
{
  switch (status)
    {
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    default:
      return NULL;
    }
}

void
samtal_reply_text (SamtalRequest *req, guint status, const char *content_type, const char *text)
{
  if (!request_can_reply (req))
    return;
  soup_server_message_set_status (req->msg, status, status_phrase (status));
  if (text != NULL)
    soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_COPY, text,
                                      strlen (text));
  request_finish_reply (req);
}

void
samtal_reply_json (SamtalRequest *req, guint status, JsonNode *node)
{
  g_autofree char *text = node ? json_to_string (node, FALSE) : NULL;
  g_clear_pointer (&node, json_node_unref);
  samtal_reply_text (req, status, "application/json; charset=utf-8", text);
}

static void
reply_error_literal (SamtalRequest *req, guint status, const char *code, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  samtal_reply_json (req, status, json_builder_get_root (b));
}

void
samtal_reply_error (SamtalRequest *req, guint status, const char *code, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *message = g_strdup_vprintf (format, ap);
  va_end (ap);
  reply_error_literal (req, status, code, message);
}

void
samtal_reply_gerror (SamtalRequest *req, const GError *error)
{
  if (error == NULL)
    return reply_error_literal (req, 500, "internal", "internal error");
  if (error->domain == SAMTAL_API_ERROR)
    return reply_error_literal (req, samtal_api_error_status (error->code),
                                samtal_api_error_name (error->code), error->message);
  if (g_error_matches (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_CONSTRAINT))
    return reply_error_literal (req, 409, "conflict", "this conflicts with existing data");
  if (g_error_matches (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_BUSY))
    return reply_error_literal (req, 503, "unavailable", "the database is busy; try again");
  if (g_error_matches (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_NOT_FOUND))
    return reply_error_literal (req, 404, "not_found", error->message);
  g_warning ("%s %s: %s", samtal_request_method (req), req->path, error->message);
  reply_error_literal (req, 500, "internal", "internal error");
}

/* --- JSON helpers --- */

JsonNode *
samtal_json_object_node (JsonObject *obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

JsonNode *
samtal_json_array_node (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

JsonNode *
samtal_json_self_named (JsonNode *node, const char *name)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return node;
  /* A new object with the same members (json_node_copy would share the object: a cycle). */
  JsonObject *obj = json_node_get_object (node);
  JsonObject *inner = json_object_new ();
  g_autoptr (GList) members = json_object_get_members (obj);
  for (GList *l = members; l; l = l->next)
    json_object_set_member (inner, l->data, json_node_copy (json_object_get_member (obj, l->data)));
  json_object_set_member (obj, name, samtal_json_object_node (inner));
  return node;
}

void
samtal_json_set_id_or_null (JsonObject *obj, const char *name, gint64 value)
{
  if (value != 0)
    json_object_set_int_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

/* --- dispatch --- */

static gboolean
method_changes_state (const char *method)
{
  return !g_str_equal (method, "GET") && !g_str_equal (method, "HEAD")
         && !g_str_equal (method, "OPTIONS");
}

/* Reads the session (if any) into req->user; FALSE if the request was answered (CSRF). */
static gboolean
request_authenticate (SamtalRequest *req, const Route *route)
{
  gboolean from_cookie = FALSE, csrf_ok = FALSE;
  const char *token = samtal_auth_request_token (req->msg, &from_cookie);
  if (token != NULL)
    req->user = samtal_session_lookup (req->server->auth, token,
                                       samtal_request_header (req, "X-CSRF-Token"), &csrf_ok);
  SamtalRouteFlags f = route->flags;
  if (req->user == NULL && (f & (SAMTAL_ROUTE_SIGNED_IN | SAMTAL_ROUTE_STAFF | SAMTAL_ROUTE_ADMIN)))
    {
      samtal_reply_error (req, 401, "unauthorized", "sign in first");
      return FALSE;
    }
  if (req->user && from_cookie && method_changes_state (route->method)
      && !(f & SAMTAL_ROUTE_NO_CSRF) && !csrf_ok)
    {
      samtal_reply_error (req, 403, "forbidden", "missing or wrong X-CSRF-Token");
      return FALSE;
    }
  if (((f & SAMTAL_ROUTE_STAFF) && !samtal_user_is_staff (req->user))
      || ((f & SAMTAL_ROUTE_ADMIN) && !samtal_user_is_admin (req->user)))
    {
      samtal_reply_error (req, 403, "forbidden", "your role may not do this");
      return FALSE;
    }
  return TRUE;
}

static gboolean
query_is_clean (GHashTable *query)
{
  GHashTableIter it;
  gpointer k, v;
  if (query == NULL)
    return TRUE;
  g_hash_table_iter_init (&it, query);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_utf8_validate (k, -1, NULL) || (v && !g_utf8_validate (v, -1, NULL)))
      return FALSE;
  return TRUE;
}

/* Parses the body of a state-changing request; FALSE if the request was answered. */
static gboolean
request_read_body (SamtalRequest *req, const Route *route)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) error = NULL;
  if (route->flags & SAMTAL_ROUTE_RAW_BODY)
    {
      if (len > req->server->config->max_body_bytes)
        {
          samtal_reply_error (req, 413, "payload_too_large", "the body is too large");
          return FALSE;
        }
      req->raw_body = g_steal_pointer (&bytes);
      return TRUE;
    }
  if (!method_changes_state (route->method))
    return TRUE;
  req->body = samtal_parse_body (data, len, req->server->config->max_body_bytes, &error);
  if (req->body == NULL)
    {
      samtal_reply_gerror (req, error);
      return FALSE;
    }
  return TRUE;
}

static void
router_dispatch_api (SamtalRouter *router, SamtalRequest *req, const char *method)
{
  gboolean known = FALSE;
  Route *route = router_find (router, method, req->path, &req->params, &known);
  if (route == NULL && known)
    {
      g_autofree char *allow = router_allowed (router, req->path);
      samtal_reply_header (req, "Allow", allow);
      samtal_reply_error (req, 405, "method_not_allowed", "%s is not allowed here", method);
      return;
    }
  if (route == NULL)
    {
      samtal_reply_error (req, 404, "not_found", "no such endpoint");
      return;
    }
  if (!query_is_clean (req->query))
    {
      samtal_reply_error (req, 400, "bad_request", "the query is not valid UTF-8");
      return;
    }
  if (!request_read_body (req, route) || !request_authenticate (req, route))
    return;
  route->handler (req, route->user_data);
}

static gboolean
path_is_api (const char *path)
{
  return g_str_equal (path, "/api") || g_str_has_prefix (path, "/api/");
}

static void
router_handle (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  SamtalRouter *router = data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (SamtalRequest) req = request_new (router->server, msg, path, query);
  samtal_http_security_headers (msg);
  if (router->server->shutting_down)
    {
      samtal_reply_header (req, "Connection", "close");
      samtal_reply_error (req, 503, "unavailable", "the server is shutting down");
      return;
    }
  gboolean known = FALSE;
  if (path_is_api (path) || router_find (router, method, path, NULL, &known) || known)
    {
      samtal_reply_header (req, "Cache-Control", "no-store");
      router_dispatch_api (router, req, method);
      return;
    }
  if (g_str_equal (method, "GET") || g_str_equal (method, "HEAD"))
    {
      samtal_static_serve (req, router->server->config->web_dir, path);
      return;
    }
  samtal_reply_header (req, "Allow", "GET, HEAD");
  samtal_reply_error (req, 405, "method_not_allowed", "%s is not allowed here", method);
}

static void
on_request_finished (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  SamtalRouter *router = data;
  g_autofree char *labels = g_strdup_printf ("status=\"%u\"", soup_server_message_get_status (msg));
  samtal_metrics_inc (router->server->metrics, "samtal_http_requests_total", labels);
}

/* A request libsoup itself refused (a malformed request line or URI) still gets the JSON
 * error shape and the security headers. */
static void
json_for_soup_error (SoupServerMessage *msg)
{
  guint status = soup_server_message_get_status (msg);
  g_autofree char *body = g_strdup_printf (
    "{\"error\":{\"code\":\"%s\",\"message\":\"the request is malformed\"}}",
    status == 400 ? "bad_request" : status == 404 ? "not_found" : "error");
  samtal_http_security_headers (msg);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* Refuses a declared body above the limit before libsoup reads it. */
static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  SamtalRouter *router = data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  if (soup_server_message_get_status (msg) >= 400)
    {
      json_for_soup_error (msg);
      return;
    }
  goffset len = soup_message_headers_get_content_length (h);
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH
      && len > (goffset) router->server->config->max_body_bytes)
    {
      samtal_http_security_headers (msg);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      static const char body[] =
        "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"the body is too large\"}}";
      soup_server_message_set_status (msg, 413, NULL);
      soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_STATIC, body, strlen (body));
    }
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), data);
}

void
samtal_router_attach (SamtalRouter *router, SoupServer *soup)
{
  soup_server_add_handler (soup, NULL, router_handle, router, NULL);
  g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), router);
  g_signal_connect (soup, "request-finished", G_CALLBACK (on_request_finished), router);
  g_signal_connect (soup, "request-aborted", G_CALLBACK (on_request_finished), router);
}
