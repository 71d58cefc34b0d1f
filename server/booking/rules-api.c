/* rules-api.c — availability over HTTP: weekly rules, blocks, unit settings (notice, horizon)
 * and the free-slot listing.
 *
 * /api/v1/staff/{id}/rules and /blocks belong to one staff member; that member, an officer of
 * their unit and admins may read and change them. /api/v1/slots is open to anyone signed in.
 */
#include "booking-private.h"

#include "core/errors.h"

#define RULES_PER_STAFF_MAX 200
#define SLOTS_STAFF_MAX 200

/* Converts an avail.h error into 400 bad_request. */
static void
avail_to_api (GError **error)
{
  if (error && *error && (*error)->domain != SAMTAL_API_ERROR) {
    GError *e = g_error_new_literal (SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                                     (*error)->message);
    g_clear_error (error);
    *error = e;
  }
}

/* Loads staff member {id} and checks that me may manage them. Replies and returns FALSE when
 * not: 404 for users that are not staff, 403 for staff of whom me is not in charge. */
static gboolean
load_staff (SamtalRequest *req, gint64 *staff_id, gint64 *unit_id)
{
  SamtalServer *server = samtal_request_server (req);
  g_autofree char *role = NULL;
  if (!samtal_request_param_int64 (req, "id", staff_id))
    return FALSE;
  if (!samtal_booking_user_info (server->store, *staff_id, &role, unit_id, NULL) ||
      g_strcmp0 (role, "client") == 0) {
    samtal_reply_error (req, 404, "not_found", "no such staff member");
    return FALSE;
  }
  if (!booking_can_manage_staff (samtal_request_user (req), *staff_id, *unit_id)) {
    samtal_reply_error (req, 403, "forbidden",
                        "only the staff member, an officer of the unit or an admin");
    return FALSE;
  }
  return TRUE;
}

static void
set_date_or_null (JsonObject *o, const char *name, guint32 julian)
{
  if (julian == 0) {
    json_object_set_null_member (o, name);
    return;
  }
  g_autofree char *text = samtal_format_date (julian);
  json_object_set_string_member (o, name, text);
}

static JsonNode *
rule_to_json (const SamtalRule *r)
{
  JsonObject *o = json_object_new ();
  g_autofree char *start = samtal_format_hhmm (r->start_min);
  g_autofree char *end = samtal_format_hhmm (r->end_min);
  json_object_set_int_member (o, "id", r->id);
  json_object_set_int_member (o, "staff_id", r->staff_id);
  json_object_set_int_member (o, "weekday", r->weekday);
  json_object_set_string_member (o, "start", start);
  json_object_set_string_member (o, "end", end);
  json_object_set_int_member (o, "slot_minutes", r->slot_minutes);
  json_object_set_int_member (o, "buffer_minutes", r->buffer_minutes);
  set_date_or_null (o, "valid_from", r->valid_from);
  set_date_or_null (o, "valid_until", r->valid_until);
  return samtal_json_object_node (o);
}

static void
handle_rules_get (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 staff_id, unit_id;
  g_autoptr (GError) error = NULL;
  if (!load_staff (req, &staff_id, &unit_id))
    return;
  g_autoptr (GArray) rules = samtal_rules_load (server->store, staff_id, &error);
  if (rules == NULL)
    return booking_fail (req, error);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < rules->len; i++)
    json_array_add_element (arr, rule_to_json (&g_array_index (rules, SamtalRule, i)));
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

static gboolean
field_hhmm (JsonObject *body, const char *name, int *out, GError **error)
{
  const char *text = NULL;
  if (!samtal_field_string (body, name, TRUE, 5, FALSE, &text, error))
    return FALSE;
  if (!samtal_parse_hhmm (text, out, NULL)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "%s: expected a time HH:MM (00:00 … 24:00)", name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
field_date (JsonObject *body, const char *name, guint32 *out, GError **error)
{
  const char *text = NULL;
  *out = 0;
  if (!samtal_field_string (body, name, FALSE, 10, FALSE, &text, error))
    return FALSE;
  if (text && !samtal_parse_date (text, out, NULL)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "%s: expected a date YYYY-MM-DD", name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_rule (JsonObject *body, SamtalRule *r, GError **error)
{
  gint64 weekday, slot, buffer;
  if (!samtal_field_int (body, "weekday", TRUE, 1, 7, 0, &weekday, error) ||
      !field_hhmm (body, "start", &r->start_min, error) ||
      !field_hhmm (body, "end", &r->end_min, error) ||
      !samtal_field_int (body, "slot_minutes", TRUE, SAMTAL_SLOT_MIN_MINUTES,
                         SAMTAL_SLOT_MAX_MINUTES, 0, &slot, error) ||
      !samtal_field_int (body, "buffer_minutes", FALSE, 0, SAMTAL_BUFFER_MAX_MINUTES, 0, &buffer,
                         error) ||
      !field_date (body, "valid_from", &r->valid_from, error) ||
      !field_date (body, "valid_until", &r->valid_until, error))
    return FALSE;
  r->weekday = (int) weekday, r->slot_minutes = (int) slot, r->buffer_minutes = (int) buffer;
  if (!samtal_rule_validate (r, error)) {
    avail_to_api (error);
    return FALSE;
  }
  return TRUE;
}

static void
handle_rules_post (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 staff_id, unit_id;
  g_autoptr (GError) error = NULL;
  SamtalRule r = { 0 };
  if (!load_staff (req, &staff_id, &unit_id))
    return;
  r.staff_id = staff_id;
  if (!parse_rule (samtal_request_body (req), &r, &error))
    return booking_fail (req, error);
  g_autoptr (GArray) existing = samtal_rules_load (server->store, staff_id, &error);
  if (existing == NULL)
    return booking_fail (req, error);
  if (existing->len >= RULES_PER_STAFF_MAX)
    return samtal_reply_error (req, 409, "conflict", "at most %d rules per staff member",
                               RULES_PER_STAFF_MAX);
  if (!samtal_store_begin_immediate (server->store, &error) ||
      (r.id = samtal_rule_insert (server->store, &r, &error)) == 0 ||
      !samtal_audit_append (server->audit, me->id, "rule.create", "rule", r.id, NULL, &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 201, samtal_json_self_named (rule_to_json (&r), "rule"));
}

static void
handle_rules_delete (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 staff_id, unit_id, rule_id;
  g_autoptr (GError) error = NULL;
  if (!load_staff (req, &staff_id, &unit_id) ||
      !samtal_request_param_int64 (req, "rule_id", &rule_id))
    return;
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !samtal_rule_delete (server->store, staff_id, rule_id, &error) ||
      !samtal_audit_append (server->audit, me->id, "rule.delete", "rule", rule_id, NULL, &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 204, NULL);
}

/* ---------- blocks ---------- */

static JsonNode *
block_to_json (SamtalServer *server, gint64 id, gint64 staff_id, const SamtalInterval *iv,
               const char *reason)
{
  JsonObject *o = json_object_new ();
  g_autofree char *start = samtal_format_unix (iv->start, server->tz);
  g_autofree char *end = samtal_format_unix (iv->end, server->tz);
  json_object_set_int_member (o, "id", id);
  json_object_set_int_member (o, "staff_id", staff_id);
  json_object_set_string_member (o, "start", start);
  json_object_set_string_member (o, "end", end);
  if (reason)
    json_object_set_string_member (o, "reason", reason);
  else
    json_object_set_null_member (o, "reason");
  return samtal_json_object_node (o);
}

static void
handle_blocks_get (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 staff_id, unit_id;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GPtrArray) reasons = NULL;
  if (!load_staff (req, &staff_id, &unit_id))
    return;
  /* Blocks that have not ended more than 30 days ago. */
  gint64 from = booking_now (server) - 30 * 86400;
  g_autoptr (GArray) blocks = samtal_blocks_load (server->store, staff_id, from, G_MAXINT64 / 2,
                                                  &ids, &reasons, &error);
  if (blocks == NULL)
    return booking_fail (req, error);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < blocks->len; i++)
    json_array_add_element (arr, block_to_json (server, g_array_index (ids, gint64, i), staff_id,
                                                &g_array_index (blocks, SamtalInterval, i),
                                                g_ptr_array_index (reasons, i)));
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

static gboolean
parse_block (JsonObject *body, SamtalInterval *iv, const char **reason, GError **error)
{
  g_autoptr (GDateTime) start = NULL, end = NULL;
  if (!samtal_field_time (body, "start", TRUE, &start, error) ||
      !samtal_field_time (body, "end", TRUE, &end, error) ||
      !samtal_field_string (body, "reason", FALSE, SAMTAL_REASON_MAX_CHARS, FALSE, reason,
                            error))
    return FALSE;
  iv->start = g_date_time_to_unix (start);
  iv->end = g_date_time_to_unix (end);
  if (!samtal_block_validate (iv->start, iv->end, error)) {
    avail_to_api (error);
    return FALSE;
  }
  return TRUE;
}

static void
handle_blocks_post (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 staff_id, unit_id, id = 0;
  SamtalInterval iv;
  const char *reason = NULL;
  g_autoptr (GError) error = NULL;
  if (!load_staff (req, &staff_id, &unit_id))
    return;
  if (!parse_block (samtal_request_body (req), &iv, &reason, &error))
    return booking_fail (req, error);
  if (!samtal_store_begin_immediate (server->store, &error) ||
      (id = samtal_block_insert (server->store, staff_id, iv.start, iv.end, reason, &error)) == 0 ||
      !samtal_audit_append (server->audit, me->id, "block.create", "block", id, NULL, &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 201, samtal_json_self_named (
      block_to_json (server, id, staff_id, &iv, reason), "block"));
}

static void
handle_blocks_delete (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 staff_id, unit_id, block_id;
  g_autoptr (GError) error = NULL;
  if (!load_staff (req, &staff_id, &unit_id) ||
      !samtal_request_param_int64 (req, "block_id", &block_id))
    return;
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !samtal_block_delete (server->store, staff_id, block_id, &error) ||
      !samtal_audit_append (server->audit, me->id, "block.delete", "block", block_id, NULL,
                            &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 204, NULL);
}

/* ---------- GET /api/v1/slots ---------- */

static gboolean
slots_range (SamtalRequest *req, guint32 *from, guint32 *to, GError **error)
{
  SamtalServer *server = samtal_request_server (req);
  const char *f = samtal_request_query (req, "from"), *t = samtal_request_query (req, "to");
  *from = samtal_local_julian (booking_now (server), server->tz);
  if (f && !samtal_parse_date (f, from, NULL)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "from: expected a date YYYY-MM-DD");
    return FALSE;
  }
  *to = *from + 13;
  if (t && !samtal_parse_date (t, to, NULL)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "to: expected a date YYYY-MM-DD");
    return FALSE;
  }
  if (!samtal_range_validate (*from, *to, error)) {
    avail_to_api (error);
    return FALSE;
  }
  return TRUE;
}

/* The staff whose slots are asked for: staff_id, or every staff member of unit_id. */
static GArray *
slots_staff (SamtalRequest *req, GError **error)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 staff_id = 0, unit_id = 0;
  if (!samtal_request_query_int64 (req, "staff_id", 1, G_MAXINT64, 0, &staff_id) ||
      !samtal_request_query_int64 (req, "unit_id", 1, G_MAXINT64, 0, &unit_id))
    return NULL;
  if (staff_id == 0 && unit_id == 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "staff_id or unit_id is required");
    return NULL;
  }
  if (unit_id && staff_id == 0)
    return samtal_unit_staff_ids (server->store, unit_id, error);
  g_autofree char *role = NULL;
  gint64 staff_unit = 0;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (samtal_booking_user_info (server->store, staff_id, &role, &staff_unit, NULL) &&
      g_strcmp0 (role, "client") != 0 && (unit_id == 0 || unit_id == staff_unit))
    g_array_append_val (ids, staff_id);
  return ids;
}

static gint
slot_cmp (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;   /* {start, end, staff_id} */
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return x[2] < y[2] ? -1 : x[2] > y[2];
}

static void
handle_slots (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  g_autoptr (GError) error = NULL;
  guint32 from, to;
  if (!slots_range (req, &from, &to, &error))
    return booking_fail (req, error);
  g_autoptr (GArray) staff = slots_staff (req, &error);
  if (staff == NULL) {
    if (error)
      booking_fail (req, error);
    return;
  }
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, 3 * sizeof (gint64));
  for (guint i = 0; i < staff->len && i < SLOTS_STAFF_MAX; i++) {
    gint64 id = g_array_index (staff, gint64, i), unit = 0;
    samtal_booking_user_info (server->store, id, NULL, &unit, NULL);
    g_autoptr (GArray) s = booking_staff_slots (server, id, unit, from, to, TRUE, 0, FALSE,
                                                &error);
    if (s == NULL)
      return booking_fail (req, error);
    for (guint k = 0; k < s->len; k++) {
      SamtalInterval *iv = &g_array_index (s, SamtalInterval, k);
      gint64 row[3] = { iv->start, iv->end, id };
      g_array_append_vals (all, row, 1);
    }
  }
  g_array_sort (all, slot_cmp);
  JsonArray *arr = json_array_new ();
  for (guint k = 0; k < all->len; k++) {
    const gint64 *row = (const gint64 *) (all->data + k * 3 * sizeof (gint64));
    JsonObject *o = json_object_new ();
    g_autofree char *start = samtal_format_unix (row[0], server->tz);
    g_autofree char *end = samtal_format_unix (row[1], server->tz);
    json_object_set_int_member (o, "staff_id", row[2]);
    json_object_set_string_member (o, "start", start);
    json_object_set_string_member (o, "end", end);
    json_array_add_object_element (arr, o);
  }
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

/* ---------- unit settings ---------- */

static JsonNode *
settings_to_json (gint64 unit_id, const SamtalUnitSettings *s)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "unit_id", unit_id);
  json_object_set_int_member (o, "min_notice_minutes", s->min_notice_minutes);
  json_object_set_int_member (o, "horizon_days", s->horizon_days);
  return samtal_json_object_node (o);
}

static gboolean
load_unit (SamtalRequest *req, gint64 *unit_id)
{
  SamtalServer *server = samtal_request_server (req);
  if (!samtal_request_param_int64 (req, "id", unit_id))
    return FALSE;
  if (!samtal_units_exists (server, *unit_id)) {
    samtal_reply_error (req, 404, "not_found", "no such unit");
    return FALSE;
  }
  return TRUE;
}

static void
handle_settings_get (SamtalRequest *req, gpointer user_data)
{
  gint64 unit_id;
  SamtalUnitSettings s;
  if (!load_unit (req, &unit_id))
    return;
  samtal_unit_settings_get (samtal_request_server (req)->store, unit_id, &s);
  samtal_reply_json (req, 200, settings_to_json (unit_id, &s));
}

static void
handle_settings_put (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  JsonObject *body = samtal_request_body (req);
  gint64 unit_id;
  SamtalUnitSettings s;
  g_autoptr (GError) error = NULL;
  if (!load_unit (req, &unit_id))
    return;
  if (!booking_is_admin (me) && !booking_is_officer_of (me, unit_id))
    return samtal_reply_error (req, 403, "forbidden", "only officers of the unit or admins");
  samtal_unit_settings_get (server->store, unit_id, &s);
  if (!samtal_field_int (body, "min_notice_minutes", FALSE, 0, 7 * 24 * 60,
                         s.min_notice_minutes, &s.min_notice_minutes, &error) ||
      !samtal_field_int (body, "horizon_days", FALSE, 1, 730, s.horizon_days, &s.horizon_days,
                         &error))
    return booking_fail (req, error);
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !samtal_unit_settings_set (server->store, unit_id, &s, &error) ||
      !samtal_audit_append (server->audit, me->id, "unit.settings", "unit", unit_id, NULL,
                            &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 200, settings_to_json (unit_id, &s));
}

void
booking_rules_register (SamtalServer *server)
{
  SamtalRouter *r = server->router;
  samtal_router_add (r, "GET", "/api/v1/staff/{id}/rules", handle_rules_get, SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "POST", "/api/v1/staff/{id}/rules", handle_rules_post,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "DELETE", "/api/v1/staff/{id}/rules/{rule_id}", handle_rules_delete,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/staff/{id}/blocks", handle_blocks_get,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "POST", "/api/v1/staff/{id}/blocks", handle_blocks_post,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "DELETE", "/api/v1/staff/{id}/blocks/{block_id}", handle_blocks_delete,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/slots", handle_slots, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/units/{id}/settings", handle_settings_get,
                     SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "PUT", "/api/v1/units/{id}/settings", handle_settings_put,
                     SAMTAL_ROUTE_STAFF);
}
