/* routes.c — the platform's own endpoints: /healthz, /metrics, register, users, units, staff,
 * and the audit trail. Each handler only reads the request, calls the module, and replies. */
#include <sodium.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "http.h"

void samtal_core_register_routes (SamtalServer *server);

#define AUDIT_PAGE_MAX 1000

static void
handle_healthz (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  g_autoptr (GError) error = NULL;
  if (!samtal_store_exec (server->store, "SELECT 1", &error))
    return samtal_reply_error (req, 503, "unavailable", "the database does not answer");
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "status", "ok");
  samtal_reply_json (req, 200, samtal_json_object_node (o));
}

static void
handle_metrics (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  const char *token = server->config->metrics_token;
  if (token != NULL)
    {
      const char *authz = samtal_request_header (req, "Authorization");
      g_autofree char *want = g_strconcat ("Bearer ", token, NULL);
      if (authz == NULL || strlen (authz) != strlen (want)
          || sodium_memcmp (authz, want, strlen (want)) != 0)
        return samtal_reply_error (req, 401, "unauthorized", "metrics need the metrics token");
    }
  g_autofree char *text = samtal_metrics_render (server->metrics);
  samtal_reply_text (req, 200, "text/plain; version=0.0.4; charset=utf-8", text);
}

/* --- users --- */

static void
on_user_created (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SamtalRequest) req = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalUser) user = samtal_users_create_finish (result, &error);
  if (user == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 201, samtal_json_self_named (samtal_user_to_json (user), "user"));
}

/* Reads {email, password, name[, role, unit_id]} and starts creating the user. */
static void
create_user_from_body (SamtalRequest *req, gboolean admin)
{
  SamtalServer *server = samtal_request_server (req);
  JsonObject *body = samtal_request_body (req);
  const char *email, *password, *name, *role = "client";
  gint64 unit_id = 0;
  g_autoptr (GError) error = NULL;
  if (!samtal_field_string (body, "email", TRUE, SAMTAL_EMAIL_MAX_CHARS, FALSE, &email, &error)
      || !samtal_field_string (body, "password", TRUE, SAMTAL_PASSWORD_MAX_CHARS, FALSE, &password,
                               &error)
      || !samtal_field_string (body, "name", TRUE, SAMTAL_NAME_MAX_CHARS, FALSE, &name, &error)
      || (admin && !samtal_field_string (body, "role", TRUE, 20, FALSE, &role, &error))
      || (admin && !samtal_field_int (body, "unit_id", FALSE, 1, G_MAXINT64, 0, &unit_id, &error)))
    return samtal_reply_gerror (req, error);
  if (samtal_request_workers_busy (req))
    return;
  const SamtalUser *me = samtal_request_user (req);
  samtal_users_create_async (server, me ? me->id : 0, email, name, role, unit_id, password, NULL,
                             on_user_created, samtal_request_hold (req));
}

static void
handle_register (SamtalRequest *req, gpointer unused)
{
  create_user_from_body (req, FALSE);
}

static void
handle_users_create (SamtalRequest *req, gpointer unused)
{
  create_user_from_body (req, TRUE);
}

static void
handle_user_get (SamtalRequest *req, gpointer unused)
{
  gint64 id;
  g_autoptr (GError) error = NULL;
  if (!samtal_request_param_int64 (req, "id", &id))
    return;
  g_autoptr (SamtalUser) user = samtal_users_get (samtal_request_server (req), id, &error);
  if (user == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 200, samtal_json_self_named (samtal_user_to_json (user), "user"));
}

static void
handle_users_list (SamtalRequest *req, gpointer unused)
{
  const char *role = samtal_request_query (req, "role");
  gint64 unit_id = 0;
  g_autoptr (GError) error = NULL;
  if (role != NULL && *role == '\0')
    role = NULL;
  if (role != NULL && !samtal_role_valid (role))
    return samtal_reply_error (req, 400, "bad_request",
                               "\"role\" must be client, caseworker, officer or admin");
  if (!samtal_request_query_int64 (req, "unit_id", 1, G_MAXINT64, 0, &unit_id))
    return;
  JsonNode *list = samtal_users_list (samtal_request_server (req), role, unit_id, &error);
  if (list == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 200, list);
}

/* --- units and staff --- */

static void
handle_units_list (SamtalRequest *req, gpointer unused)
{
  g_autoptr (GError) error = NULL;
  JsonNode *list = samtal_units_list (samtal_request_server (req), &error);
  if (list == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 200, list);
}

static void
handle_units_create (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  const char *name;
  g_autoptr (GError) error = NULL;
  if (!samtal_field_string (samtal_request_body (req), "name", TRUE, 100, FALSE, &name, &error))
    return samtal_reply_gerror (req, error);
  gint64 id = samtal_units_create (server, samtal_request_user (req)->id, name, &error);
  if (id == 0)
    return samtal_reply_gerror (req, error);
  g_autofree char *stored = samtal_units_name (server, id, NULL);
  samtal_reply_json (req, 201, samtal_json_self_named (samtal_unit_to_json (id, stored), "unit"));
}

static void
handle_staff_list (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 unit_id = 0;
  g_autoptr (GError) error = NULL;
  if (!samtal_request_query_int64 (req, "unit_id", 1, G_MAXINT64, 0, &unit_id))
    return;
  if (unit_id != 0 && !samtal_units_exists (server, unit_id))
    return samtal_reply_error (req, 404, "not_found", "no such unit");
  JsonNode *list = samtal_users_list_staff (server, unit_id, &error);
  if (list == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 200, list);
}

/* --- audit --- */

static void
handle_audit_list (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 after = 0, limit = 0;
  g_autoptr (GError) error = NULL;
  if (!samtal_request_query_int64 (req, "after", 0, G_MAXINT64, 0, &after)
      || !samtal_request_query_int64 (req, "limit", 1, AUDIT_PAGE_MAX, AUDIT_PAGE_MAX, &limit))
    return;
  JsonNode *list = samtal_audit_list (server->audit, after, (guint) limit, server->tz, &error);
  if (list == NULL)
    return samtal_reply_gerror (req, error);
  samtal_reply_json (req, 200, list);
}

static void
handle_audit_verify (SamtalRequest *req, gpointer unused)
{
  SamtalServer *server = samtal_request_server (req);
  SamtalAuditReport report;
  g_autoptr (GError) error = NULL;
  if (!samtal_audit_verify (server->audit, &report, &error))
    return samtal_reply_gerror (req, error);
  JsonObject *o = json_object_new ();
  json_object_set_boolean_member (o, "ok", report.ok);
  json_object_set_int_member (o, "entries", report.entries);
  if (!report.ok)
    {
      json_object_set_int_member (o, "first_bad", report.first_bad);
      json_object_set_string_member (o, "reason", report.reason);
    }
  samtal_audit_report_clear (&report);
  samtal_reply_json (req, 200, samtal_json_object_node (o));
}

void
samtal_users_register_routes (SamtalServer *server)
{
  SamtalRouter *r = server->router;
  samtal_router_add (r, "POST", "/api/v1/register", handle_register, SAMTAL_ROUTE_ANYONE);
  samtal_router_add (r, "POST", "/api/v1/users", handle_users_create, SAMTAL_ROUTE_ADMIN);
  samtal_router_add (r, "GET", "/api/v1/users", handle_users_list, SAMTAL_ROUTE_ADMIN);
  samtal_router_add (r, "GET", "/api/v1/users/{id}", handle_user_get, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/units", handle_units_list, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/units", handle_units_create, SAMTAL_ROUTE_ADMIN);
  samtal_router_add (r, "GET", "/api/v1/staff", handle_staff_list, SAMTAL_ROUTE_SIGNED_IN);
}

void
samtal_core_register_routes (SamtalServer *server)
{
  SamtalRouter *r = server->router;
  samtal_router_add (r, "GET", "/healthz", handle_healthz, SAMTAL_ROUTE_ANYONE);
  samtal_router_add (r, "GET", "/metrics", handle_metrics, SAMTAL_ROUTE_ANYONE);
  samtal_router_add (r, "GET", "/api/v1/audit", handle_audit_list, SAMTAL_ROUTE_ADMIN);
  samtal_router_add (r, "GET", "/api/v1/audit/verify", handle_audit_verify, SAMTAL_ROUTE_ADMIN);
  samtal_auth_register_routes (server);
  samtal_users_register_routes (server);
  samtal_metrics_describe (server->metrics, "samtal_http_requests_total", "counter",
                           "HTTP requests answered, by status.");
  samtal_metrics_describe (server->metrics, "samtal_login_failures_total", "counter",
                           "Failed sign-ins.");
  samtal_metrics_set (server->metrics, "samtal_login_failures_total", NULL, 0);
  samtal_metrics_describe (server->metrics, "samtal_sign_ins_total", "counter",
                           "Successful sign-ins.");
  samtal_metrics_set (server->metrics, "samtal_sign_ins_total", NULL, 0);
}
