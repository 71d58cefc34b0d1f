/* cases-api.c — cases and case notes over HTTP, and the cases component's entry points.
 *
 * Only staff see cases, and only those of their own unit (admins see all); anything else answers
 * 404 so that a case's existence does not leak across units. Case numbers are allocated inside
 * the creating transaction from a per-unit-and-year counter. Note bodies are sealed with the
 * key in notes.key before they reach the database, bound to their case and note ids. Every case
 * read, note read and note write goes to the audit trail.
 */
#include "cases-api.h"

#include "casenum.h"
#include "cases-store.h"
#include "common/keyfile.h"
#include "core/audit.h"
#include "core/errors.h"
#include "core/http.h"
#include "notecrypt.h"

#include <string.h>

#define CASE_TITLE_MAX_CHARS 200
#define NOTE_MAX_CHARS 20000

typedef struct {
  guint8 *notes_key;
} CasesState;

static gint64
now_s (SamtalServer *server)
{
  return samtal_server_now_us (server) / G_USEC_PER_SEC;
}

static gboolean
is_admin (const SamtalUser *me)
{
  return me && g_strcmp0 (me->role, "admin") == 0;
}

/* Staff of the case's unit, or an admin. */
static gboolean
can_see_case (const SamtalUser *me, const SamtalCase *c)
{
  if (is_admin (me))
    return TRUE;
  return me && g_strcmp0 (me->role, "client") != 0 && me->unit_id > 0 &&
         me->unit_id == c->unit_id;
}

static void
fail (SamtalRequest *req, const GError *error)
{
  SamtalServer *server = samtal_request_server (req);
  if (samtal_store_in_transaction (server->store))
    samtal_store_rollback (server->store);
  samtal_reply_gerror (req, error);
}

static void
set_time (SamtalServer *server, JsonObject *o, const char *name, gint64 t)
{
  g_autofree char *text = samtal_format_unix (t, server->tz);
  json_object_set_string_member (o, name, text);
}

static JsonNode *
case_to_json (SamtalServer *server, const SamtalCase *c)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", c->id);
  json_object_set_string_member (o, "number", c->number);
  json_object_set_int_member (o, "unit_id", c->unit_id);
  json_object_set_int_member (o, "client_id", c->client_id);
  json_object_set_string_member (o, "title", c->title);
  json_object_set_string_member (o, "status", c->status);
  if (c->client_name)
    json_object_set_string_member (o, "client_name", c->client_name);
  json_object_set_int_member (o, "created_by", c->created_by);
  set_time (server, o, "created_at", c->created_at);
  return samtal_json_object_node (o);
}

/* Loads case {id} for me; replies 404 and returns FALSE when missing or not visible. */
static gboolean
load_case (SamtalRequest *req, SamtalCase *c)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 id;
  g_autoptr (GError) error = NULL;
  if (!samtal_request_param_int64 (req, "id", &id))
    return FALSE;
  if (!samtal_case_get (server->store, id, c, &error)) {
    fail (req, error);
    return FALSE;
  }
  if (!can_see_case (samtal_request_user (req), c)) {
    samtal_case_clear (c);
    samtal_reply_error (req, 404, "not_found", "no such case");
    return FALSE;
  }
  return TRUE;
}

static int
local_year (SamtalServer *server)
{
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (now_s (server));
  g_autoptr (GDateTime) local = g_date_time_to_timezone (now, server->tz);
  return g_date_time_get_year (local);
}

static gboolean
check_client (SamtalServer *server, gint64 client_id, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (SamtalUser) u = samtal_users_get (server, client_id, &local);
  if (u == NULL || g_strcmp0 (u->role, "client") != 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "client_id: no client with that id");
    return FALSE;
  }
  return TRUE;
}

/* The transaction of a new case: number allocation, insert, audit. */
static gint64
create_case (SamtalServer *server, gint64 actor_id, SamtalCase *c, GError **error)
{
  g_autofree char *unit_name = samtal_units_name (server, c->unit_id, error);
  if (unit_name == NULL)
    return 0;
  g_autofree char *code = samtal_unit_code (unit_name);
  int year = local_year (server);
  gint64 seq;
  if (!samtal_store_begin_immediate (server->store, error) ||
      (seq = samtal_case_next_seq (server->store, c->unit_id, year, error)) == 0)
    goto rollback;
  c->number = samtal_case_number_format (code, year, seq);
  c->created_by = actor_id, c->created_at = now_s (server);
  if ((c->id = samtal_case_insert (server->store, c, error)) == 0 ||
      !samtal_audit_append (server->audit, actor_id, "case.create", "case", c->id, NULL, error) ||
      !samtal_store_commit (server->store, error))
    goto rollback;
  return c->id;
rollback:
  samtal_store_rollback (server->store);
  return 0;
}

gint64
samtal_cases_create (SamtalServer *server, gint64 actor_id, gint64 unit_id, gint64 client_id,
                     const char *title, char **number_out, GError **error)
{
  g_auto (SamtalCase) c = { .unit_id = unit_id, .client_id = client_id,
                            .title = g_strdup (title), .status = g_strdup ("open") };
  if (!check_client (server, client_id, error) || create_case (server, actor_id, &c, error) == 0)
    return 0;
  if (number_out)
    *number_out = g_strdup (c.number);
  return c.id;
}

static gboolean
case_unit_for (const SamtalUser *me, JsonObject *body, gint64 *unit_id, GError **error)
{
  gint64 asked = 0;
  if (!samtal_field_int (body, "unit_id", FALSE, 1, G_MAXINT64, 0, &asked, error))
    return FALSE;
  if (is_admin (me) && asked == 0 && me->unit_id == 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST, "unit_id: required");
    return FALSE;
  }
  *unit_id = asked ? asked : me->unit_id;
  if (!is_admin (me) && (me->unit_id == 0 || *unit_id != me->unit_id)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_FORBIDDEN,
                 "staff open cases only in their own unit");
    return FALSE;
  }
  return TRUE;
}

static void
handle_create (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  JsonObject *body = samtal_request_body (req);
  const char *title = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalCase) c = { .status = g_strdup ("open") };
  if (!samtal_field_int (body, "client_id", TRUE, 1, G_MAXINT64, 0, &c.client_id, &error) ||
      !samtal_field_string (body, "title", TRUE, CASE_TITLE_MAX_CHARS, FALSE, &title, &error) ||
      !case_unit_for (me, body, &c.unit_id, &error) ||
      !check_client (server, c.client_id, &error))
    return fail (req, error);
  c.title = g_strdup (title);
  if (create_case (server, me->id, &c, &error) == 0)
    return fail (req, error);
  g_auto (SamtalCase) stored = { 0 };
  if (!samtal_case_get (server->store, c.id, &stored, &error))
    return fail (req, error);
  samtal_reply_json (req, 201, samtal_json_self_named (case_to_json (server, &stored), "case"));
}

static void
handle_get (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  g_autoptr (GError) error = NULL;
  g_auto (SamtalCase) c = { 0 };
  if (!load_case (req, &c))
    return;
  if (!samtal_audit_append (server->audit, me->id, "case.read", "case", c.id, NULL, &error))
    return fail (req, error);
  samtal_reply_json (req, 200, samtal_json_self_named (case_to_json (server, &c), "case"));
}

static void
handle_list (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 client_id = 0;
  g_autoptr (GError) error = NULL;
  if (!samtal_request_query_int64 (req, "client_id", 1, G_MAXINT64, 0, &client_id))
    return;
  if (!is_admin (me) && me->unit_id == 0)
    return samtal_reply_json (req, 200, samtal_json_array_node (json_array_new ()));
  g_autoptr (GArray) ids = samtal_case_list_ids (server->store, is_admin (me) ? 0 : me->unit_id,
                                                 client_id, &error);
  if (ids == NULL)
    return fail (req, error);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < ids->len; i++) {
    g_auto (SamtalCase) c = { 0 };
    gint64 id = g_array_index (ids, gint64, i);
    if (!samtal_case_get (server->store, id, &c, NULL) ||
        !samtal_audit_append (server->audit, me->id, "case.read", "case", id, "list", NULL))
      continue;
    json_array_add_element (arr, case_to_json (server, &c));
  }
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

static JsonNode *
note_to_json (SamtalServer *server, const SamtalNoteRow *n, const char *body)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", n->id);
  json_object_set_int_member (o, "case_id", n->case_id);
  json_object_set_int_member (o, "author_id", n->author_id);
  if (n->author_name)
    json_object_set_string_member (o, "author_name", n->author_name);
  set_time (server, o, "created_at", n->created_at);
  if (body)
    json_object_set_string_member (o, "body", body);
  else
    json_object_set_null_member (o, "body");
  samtal_json_set_id_or_null (o, "booking_id", n->booking_id);
  return samtal_json_object_node (o);
}

static void
handle_notes_get (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  CasesState *st = server->cases;
  const SamtalUser *me = samtal_request_user (req);
  g_autoptr (GError) error = NULL;
  g_auto (SamtalCase) c = { 0 };
  if (!load_case (req, &c))
    return;
  g_autoptr (GArray) notes = samtal_note_list (server->store, c.id, &error);
  if (notes == NULL)
    return fail (req, error);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < notes->len; i++) {
    SamtalNoteRow *n = &g_array_index (notes, SamtalNoteRow, i);
    gsize len;
    const guint8 *data = g_bytes_get_data (n->sealed, &len);
    g_autoptr (GError) open_error = NULL;
    g_autofree char *body = samtal_note_open (st->notes_key, n->case_id, n->id, data, len,
                                              &open_error);
    if (body == NULL)
      g_warning ("case note %" G_GINT64_FORMAT " does not decrypt: %s", n->id,
                 open_error->message);
    if (!samtal_audit_append (server->audit, me->id, "note.read", "note", n->id, NULL, &error))
      return fail (req, error);
    json_array_add_element (arr, note_to_json (server, n, body));
  }
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

/* A note may name a booking of the same client in the same unit. */
static gboolean
check_note_booking (SamtalServer *server, const SamtalCase *c, gint64 booking_id,
                    GError **error)
{
  if (booking_id == 0)
    return TRUE;
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (server->store,
      "SELECT 1 FROM bookings WHERE id = ? AND client_id = ? AND (case_id IS NULL OR case_id = ?)"
      " AND (unit_id IS NULL OR unit_id = ?)", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, booking_id);
  sqlite3_bind_int64 (st, 2, c->client_id);
  sqlite3_bind_int64 (st, 3, c->id);
  sqlite3_bind_int64 (st, 4, c->unit_id);
  if (samtal_store_step (server->store, st, NULL) != SQLITE_ROW) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "booking_id: not a booking of this case's client");
    return FALSE;
  }
  return TRUE;
}

/* Inside the transaction: a row for the id, then its sealed body, then the audit entry. */
static gint64
write_note_steps (SamtalServer *server, gint64 author, const SamtalCase *c, gint64 booking_id,
                  const char *text, GError **error)
{
  CasesState *st = server->cases;
  gint64 id = samtal_note_insert (server->store, c->id, author, booking_id, now_s (server), error);
  if (id == 0)
    return 0;
  g_autoptr (GBytes) sealed = samtal_note_seal (st->notes_key, c->id, id, text, strlen (text),
                                                error);
  if (sealed == NULL || !samtal_note_set_sealed (server->store, id, sealed, error) ||
      !samtal_audit_append (server->audit, author, "note.write", "note", id, NULL, error))
    return 0;
  return id;
}

/* The transaction of a new note. */
static gint64
write_note (SamtalServer *server, gint64 author, const SamtalCase *c, gint64 booking_id,
            const char *text, GError **error)
{
  if (!samtal_store_begin_immediate (server->store, error))
    return 0;
  gint64 id = write_note_steps (server, author, c, booking_id, text, error);
  if (id == 0 || !samtal_store_commit (server->store, error)) {
    samtal_store_rollback (server->store);
    return 0;
  }
  return id;
}

static void
handle_notes_post (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  JsonObject *body = samtal_request_body (req);
  const char *text = NULL;
  gint64 booking_id = 0, id;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalCase) c = { 0 };
  if (!load_case (req, &c))
    return;
  if (!samtal_field_string (body, "body", TRUE, NOTE_MAX_CHARS, TRUE, &text, &error) ||
      !samtal_field_int (body, "booking_id", FALSE, 1, G_MAXINT64, 0, &booking_id, &error) ||
      !check_note_booking (server, &c, booking_id, &error))
    return fail (req, error);
  if ((id = write_note (server, me->id, &c, booking_id, text, &error)) == 0)
    return fail (req, error);
  SamtalNoteRow n = { .id = id, .case_id = c.id, .author_id = me->id, .booking_id = booking_id,
                      .created_at = now_s (server), .author_name = me->name };
  samtal_reply_json (req, 201, samtal_json_self_named (note_to_json (server, &n, text), "note"));
}

gboolean
samtal_cases_check_link (SamtalServer *server, gint64 case_id, gint64 unit_id, gint64 client_id,
                         GError **error)
{
  g_auto (SamtalCase) c = { 0 };
  if (!samtal_case_get (server->store, case_id, &c, error))
    return FALSE;
  if (c.unit_id != unit_id || c.client_id != client_id || g_strcmp0 (c.status, "open") != 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "case_id: the case must be open and belong to this client and unit");
    return FALSE;
  }
  return TRUE;
}

gboolean
samtal_cases_migrate (SamtalServer *server, GError **error)
{
  return samtal_cases_store_migrate (server->store, error);
}

static void
state_free (SamtalServer *server, gpointer user_data)
{
  CasesState *st = server->cases;
  if (st == NULL)
    return;
  samtal_key_free (st->notes_key, SAMTAL_NOTE_KEY_BYTES);
  g_free (st);
  server->cases = NULL;
}

gboolean
samtal_cases_api_register_full (SamtalServer *server, GError **error)
{
  guint8 *key = samtal_key_load_or_create (server->config->data_dir, "notes.key",
                                           SAMTAL_NOTE_KEY_BYTES, error);
  if (key == NULL)
    return FALSE;
  CasesState *st = g_new0 (CasesState, 1);
  st->notes_key = key;
  server->cases = st;
  samtal_server_add_shutdown_hook (server, state_free, NULL, NULL);
  SamtalRouter *r = server->router;
  samtal_router_add (r, "POST", "/api/v1/cases", handle_create, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/cases", handle_list, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/cases/{id}", handle_get, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/cases/{id}/notes", handle_notes_get, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "POST", "/api/v1/cases/{id}/notes", handle_notes_post,
                     SAMTAL_ROUTE_STAFF);
  return TRUE;
}

void
samtal_cases_api_register (SamtalServer *server)
{
  g_autoptr (GError) error = NULL;
  if (!samtal_cases_api_register_full (server, &error))
    g_error ("cases: cannot load notes.key: %s", error->message);
}
