/* booking-api.c — bookings over HTTP: create (race-free, idempotent), list, get, cancel,
 * reschedule, status and .ics; and the component's entry points.
 *
 * Every decision that depends on what is already booked runs inside one BEGIN IMMEDIATE
 * transaction on the main thread: the slot check, the explicit overlap check, the insert (whose
 * trigger refuses overlaps once more), the audit entry and the idempotency record commit or roll
 * back together. Bookings that a caller may not see answer 404, exactly like missing ones.
 */
#include "booking-private.h"

#include "cases/cases-api.h"
#include "common/keyfile.h"
#include "common/token.h"
#include "core/errors.h"
#include "ics.h"

#include <string.h>

/* ---------- POST /api/v1/bookings ---------- */

typedef struct {
  gint64 staff_id, client_id, case_id, duration;
  gint64 start;
  const char *topic;
  char *staff_role;
  gint64 staff_unit;
} NewBooking;

static void
new_booking_clear (NewBooking *nb)
{
  g_free (nb->staff_role);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NewBooking, new_booking_clear)

static gboolean
parse_start (JsonObject *body, gint64 *out, GError **error)
{
  g_autoptr (GDateTime) t = NULL;
  if (!samtal_field_time (body, "start", TRUE, &t, error))
    return FALSE;
  *out = g_date_time_to_unix (t);
  return TRUE;
}

static gboolean
parse_new_booking (SamtalRequest *req, NewBooking *nb, GError **error)
{
  JsonObject *body = samtal_request_body (req);
  if (!samtal_field_int (body, "staff_id", TRUE, 1, G_MAXINT64, 0, &nb->staff_id, error) ||
      !parse_start (body, &nb->start, error) ||
      !samtal_field_string (body, "topic", FALSE, SAMTAL_TOPIC_MAX_CHARS, FALSE, &nb->topic,
                            error) ||
      !samtal_field_int (body, "case_id", FALSE, 1, G_MAXINT64, 0, &nb->case_id, error) ||
      !samtal_field_int (body, "client_id", FALSE, 1, G_MAXINT64, 0, &nb->client_id, error) ||
      !samtal_field_int (body, "duration_minutes", FALSE, 5, 480, 0, &nb->duration, error))
    return FALSE;
  SamtalServer *server = samtal_request_server (req);
  if (!samtal_booking_user_info (server->store, nb->staff_id, &nb->staff_role, &nb->staff_unit,
                                 NULL) ||
      !(g_str_equal (nb->staff_role, "caseworker") || g_str_equal (nb->staff_role, "officer") ||
        g_str_equal (nb->staff_role, "admin"))) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND, "no such staff member");
    return FALSE;
  }
  return TRUE;
}

/* Who books for whom: a client books for themselves; staff book a client for themselves, or as
 * an officer of the unit or an admin for another staff member. */
static gboolean
check_booker (SamtalServer *server, const SamtalUser *me, NewBooking *nb, GError **error)
{
  if (!booking_is_staff (me)) {
    if ((nb->client_id && nb->client_id != me->id) || nb->case_id) {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_FORBIDDEN,
                   "clients book only for themselves and cannot link cases");
      return FALSE;
    }
    nb->client_id = me->id;
    return TRUE;
  }
  g_autofree char *role = NULL;
  if (nb->client_id == 0 ||
      !samtal_booking_user_info (server->store, nb->client_id, &role, NULL, NULL) ||
      g_strcmp0 (role, "client") != 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "client_id: staff must name the client, a user with role client");
    return FALSE;
  }
  if (!booking_can_manage_staff (me, nb->staff_id, nb->staff_unit)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_FORBIDDEN,
                 "you may book only in your own calendar");
    return FALSE;
  }
  return TRUE;
}

/* Inside the transaction: decides [start, end) for the booking or fails with NOT_A_SLOT or
 * SLOT_TAKEN. Clients must hit the start of a free slot; staff choose the length. */
static gboolean
decide_interval (SamtalServer *server, gboolean as_client, gint64 staff_id, gint64 unit_id,
                 gint64 start, gint64 duration_minutes, gint64 except_id, gint64 *end_out,
                 GError **error)
{
  if (as_client) {
    guint32 day = samtal_local_julian (start, server->tz);
    g_autoptr (GArray) any = booking_staff_slots (server, staff_id, unit_id, day, day, FALSE,
                                                  except_id, FALSE, error);
    if (any == NULL)
      return FALSE;
    const SamtalInterval *slot = samtal_slots_find (any, start);
    if (slot == NULL) {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_A_SLOT,
                   "start is not the start of an offered slot");
      return FALSE;
    }
    *end_out = slot->end;
    g_autoptr (GArray) free_slots = booking_staff_slots (server, staff_id, unit_id, day, day,
                                                         TRUE, except_id, FALSE, error);
    if (free_slots == NULL)
      return FALSE;
    if (samtal_slots_find (free_slots, start) == NULL) {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_SLOT_TAKEN, "that slot is taken");
      return FALSE;
    }
  } else {
    *end_out = start + duration_minutes * 60;
  }
  g_autoptr (GArray) clash = samtal_busy_load (server->store, staff_id, start, *end_out,
                                               except_id, error);
  if (clash == NULL)
    return FALSE;
  if (clash->len > 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_SLOT_TAKEN,
                 "that time overlaps another booking");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_staff_start (SamtalServer *server, gint64 start, GError **error)
{
  gint64 now = booking_now (server);
  if (start < now - 86400 || start > now + 730 * (gint64) 86400) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "start: must lie between yesterday and two years ahead");
    return FALSE;
  }
  return TRUE;
}

/* The transaction of a new booking. Returns the answer (transfer full) or NULL. */
static JsonNode *
create_in_transaction (SamtalRequest *req, const SamtalUser *me, NewBooking *nb, GError **error)
{
  SamtalServer *server = samtal_request_server (req);
  gboolean as_client = !booking_is_staff (me);
  if (!as_client && nb->duration == 0)
    nb->duration = booking_default_duration (server, nb->staff_id, nb->start);
  SamtalBooking b = { .staff_id = nb->staff_id, .client_id = nb->client_id,
                      .case_id = nb->case_id, .unit_id = nb->staff_unit, .start = nb->start };
  if (!samtal_store_begin_immediate (server->store, error) ||
      !decide_interval (server, as_client, b.staff_id, b.unit_id, b.start, nb->duration, 0,
                        &b.end, error))
    return NULL;
  if (b.case_id && !samtal_cases_check_link (server, b.case_id, b.unit_id, b.client_id, error))
    return NULL;
  b.id = samtal_booking_insert (server->store, &b, nb->topic, me->id, booking_now (server),
                                error);
  g_auto (SamtalBookingRow) row = { 0 };
  if (b.id == 0 || !booking_audit (server, me->id, "booking.create", b.id, NULL, error) ||
      !samtal_booking_store_get (server->store, b.id, &row, error))
    return NULL;
  g_autoptr (JsonNode) answer = samtal_json_self_named (booking_to_json (server, &row), "booking");
  if (!booking_idem_remember (req, "POST /bookings", 201, answer, error) ||
      !samtal_store_commit (server->store, error))
    return NULL;
  return g_steal_pointer (&answer);
}

static void
handle_create (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  if (booking_idem_replay (req, "POST /bookings"))
    return;
  g_auto (NewBooking) nb = { 0 };
  g_autoptr (GError) error = NULL;
  if (!parse_new_booking (req, &nb, &error) || !check_booker (server, me, &nb, &error) ||
      (booking_is_staff (me) && !check_staff_start (server, nb.start, &error)))
    return booking_fail (req, error);
  JsonNode *answer = create_in_transaction (req, me, &nb, &error);
  if (answer == NULL)
    return booking_fail (req, error);
  samtal_metrics_inc (server->metrics, "samtal_bookings_total", NULL);
  samtal_reply_json (req, 201, answer);
}

/* ---------- GET /api/v1/bookings ---------- */

static gboolean
query_date (SamtalRequest *req, const char *name, guint32 *out, GError **error)
{
  const char *text = samtal_request_query (req, name);
  *out = 0;
  if (text == NULL)
    return TRUE;
  if (!samtal_parse_date (text, out, NULL)) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "%s: expected a date YYYY-MM-DD", name);
    return FALSE;
  }
  return TRUE;
}

/* Whose bookings the caller lists: clients their own, staff their calendar; officers may ask
 * for their unit (unit_id) or a colleague (staff_id); admins for anyone. */
static gboolean
list_filter (SamtalRequest *req, const SamtalUser *me, SamtalBookingFilter *f, GError **error)
{
  gint64 unit_id = 0, staff_id = 0;
  if (!samtal_request_query_int64 (req, "unit_id", 1, G_MAXINT64, 0, &unit_id) ||
      !samtal_request_query_int64 (req, "staff_id", 1, G_MAXINT64, 0, &staff_id))
    return FALSE;
  if (!booking_is_staff (me)) {
    f->client_id = me->id;
    return TRUE;
  }
  if (booking_is_admin (me)) {
    f->unit_id = unit_id, f->staff_id = staff_id;
    return TRUE;
  }
  if (unit_id && booking_is_officer_of (me, unit_id)) {
    f->unit_id = unit_id, f->staff_id = staff_id;
    return TRUE;
  }
  if (staff_id && staff_id != me->id) {
    gint64 unit = 0;
    if (!samtal_booking_user_info (samtal_request_server (req)->store, staff_id, NULL, &unit,
                                   NULL) || !booking_is_officer_of (me, unit)) {
      g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_FORBIDDEN,
                   "only officers of the unit see other calendars");
      return FALSE;
    }
    f->staff_id = staff_id;
    return TRUE;
  }
  if (unit_id) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_FORBIDDEN,
                 "only officers of the unit see its bookings");
    return FALSE;
  }
  f->staff_id = me->id;
  return TRUE;
}

static void
handle_list (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  g_autoptr (GError) error = NULL;
  SamtalBookingFilter f = { .limit = 500 };
  guint32 from = 0, to = 0;
  if (!query_date (req, "from", &from, &error) || !query_date (req, "to", &to, &error))
    return booking_fail (req, error);
  if (!list_filter (req, me, &f, &error)) {
    if (error)
      booking_fail (req, error);
    return;
  }
  if (from && to && to < from)
    return samtal_reply_error (req, 400, "bad_request", "to: must not be before from");
  f.from = from ? samtal_local_day_start (from, server->tz) : 0;
  f.to = to ? samtal_local_day_start (to + 1, server->tz) : 0;
  g_autoptr (GArray) ids = samtal_booking_list_ids (server->store, &f, &error);
  if (ids == NULL)
    return booking_fail (req, error);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < ids->len; i++) {
    g_auto (SamtalBookingRow) row = { 0 };
    if (samtal_booking_store_get (server->store, g_array_index (ids, gint64, i), &row, NULL))
      json_array_add_element (arr, booking_to_json (server, &row));
  }
  samtal_reply_json (req, 200, samtal_json_array_node (arr));
}

/* ---------- one booking ---------- */

static void
handle_get (SamtalRequest *req, gpointer user_data)
{
  gint64 id;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  samtal_reply_json (req, 200, samtal_json_self_named (
      booking_to_json (samtal_request_server (req), &row), "booking"));
}

/* Commits the change started by the caller (audit, reload, idempotency) and replies 200. */
static void
finish_change (SamtalRequest *req, gint64 id, const char *action, const char *scope,
               const char *detail)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!booking_audit (server, me->id, action, id, detail, &error) ||
      !samtal_booking_store_get (server->store, id, &row, &error))
    return booking_fail (req, error);
  g_autoptr (JsonNode) answer = samtal_json_self_named (booking_to_json (server, &row), "booking");
  if (!booking_idem_remember (req, scope, 200, answer, &error) ||
      !samtal_store_commit (server->store, &error))
    return booking_fail (req, error);
  samtal_reply_json (req, 200, g_steal_pointer (&answer));
}

static void
handle_cancel (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 id;
  const char *reason = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (booking_idem_replay (req, "POST /bookings/cancel") ||
      !samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  if (!samtal_field_string (samtal_request_body (req), "reason", FALSE, 500, TRUE, &reason,
                            &error))
    return booking_fail (req, error);
  if (row.b.status != SAMTAL_BOOKING_BOOKED)
    return samtal_reply_error (req, 409, "conflict", "the booking is already %s",
                               samtal_booking_status_name (row.b.status));
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !samtal_booking_set_status (server->store, id, SAMTAL_BOOKING_CANCELLED, me->id, reason,
                                  booking_now (server), &error))
    return booking_fail (req, error);
  finish_change (req, id, "booking.cancel", "POST /bookings/cancel",
                 me->id == row.b.client_id ? "by client" : "by staff");
}

static void
handle_reschedule (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 id, start = 0, end = 0;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (booking_idem_replay (req, "POST /bookings/reschedule") ||
      !samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  if (!parse_start (samtal_request_body (req), &start, &error))
    return booking_fail (req, error);
  if (row.b.status != SAMTAL_BOOKING_BOOKED)
    return samtal_reply_error (req, 409, "conflict", "only a booked meeting can be moved");
  gboolean as_client = !booking_is_staff (me);
  if (!as_client && !check_staff_start (server, start, &error))
    return booking_fail (req, error);
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !decide_interval (server, as_client, row.b.staff_id, row.b.unit_id, start,
                        (row.b.end - row.b.start) / 60, id, &end, &error) ||
      !samtal_booking_move (server->store, id, start, end, booking_now (server), &error))
    return booking_fail (req, error);
  finish_change (req, id, "booking.reschedule", "POST /bookings/reschedule", NULL);
}

static gboolean
parse_status (JsonObject *body, SamtalBookingStatus *out, GError **error)
{
  const char *s = NULL;
  if (!samtal_field_string (body, "status", TRUE, 20, FALSE, &s, error))
    return FALSE;
  if (g_str_equal (s, "completed"))
    *out = SAMTAL_BOOKING_COMPLETED;
  else if (g_str_equal (s, "no_show"))
    *out = SAMTAL_BOOKING_NO_SHOW;
  else {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_BAD_REQUEST,
                 "status: must be completed or no_show");
    return FALSE;
  }
  return TRUE;
}

static void
handle_status (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  const SamtalUser *me = samtal_request_user (req);
  gint64 id;
  SamtalBookingStatus status;
  g_autoptr (GError) error = NULL;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  if (!booking_is_staff (me) || me->id == row.b.client_id)
    return samtal_reply_error (req, 403, "forbidden", "only staff mark a meeting's outcome");
  if (!parse_status (samtal_request_body (req), &status, &error))
    return booking_fail (req, error);
  if (row.b.status == SAMTAL_BOOKING_CANCELLED)
    return samtal_reply_error (req, 409, "conflict", "the booking is cancelled");
  if (!samtal_store_begin_immediate (server->store, &error) ||
      !samtal_booking_set_status (server->store, id, status, me->id, NULL, booking_now (server),
                                  &error))
    return booking_fail (req, error);
  finish_change (req, id, "booking.status", "POST /bookings/status",
                 samtal_booking_status_name (status));
}

static char *
public_host (SamtalServer *server)
{
  g_autofree char *url = samtal_server_public_url (server);
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  return g_strdup (uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : "samtal");
}

static void
handle_ics (SamtalRequest *req, gpointer user_data)
{
  SamtalServer *server = samtal_request_server (req);
  gint64 id;
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_request_param_int64 (req, "id", &id) || !booking_load_for (req, id, &row))
    return;
  g_autofree char *host = public_host (server);
  g_autofree char *base = samtal_server_public_url (server);
  g_autofree char *location = g_strdup_printf ("%s/meet/%" G_GINT64_FORMAT, base, id);
  g_autofree char *summary = row.topic
      ? g_strdup_printf ("Samtal: %s", row.topic)
      : g_strdup_printf ("Samtal med %s", row.staff_name ? row.staff_name : "handläggare");
  SamtalIcsEvent ev = {
    .booking_id = id, .uid_domain = host, .start = row.b.start, .end = row.b.end,
    .stamp = row.updated_at ? row.updated_at : row.created_at, .sequence = row.b.sequence,
    .cancelled = row.b.status == SAMTAL_BOOKING_CANCELLED, .summary = summary,
    .description = location, .location = location, .organizer_name = row.staff_name,
    .organizer_email = row.staff_email, .attendee_name = row.client_name,
    .attendee_email = row.client_email,
  };
  g_autofree char *ics = samtal_ics_render (&ev, server->tz);
  g_autofree char *disp = g_strdup_printf ("attachment; filename=\"booking-%" G_GINT64_FORMAT
                                           ".ics\"", id);
  samtal_reply_header (req, "Content-Disposition", disp);
  samtal_reply_text (req, 200, "text/calendar; charset=utf-8", ics);
}

/* ---------- entry points ---------- */

gboolean
samtal_booking_migrate (SamtalServer *server, GError **error)
{
  return samtal_booking_store_migrate (server->store, error);
}

static void
state_free (SamtalServer *server, gpointer user_data)
{
  SamtalBookingState *st = server->booking;
  if (st == NULL)
    return;
  samtal_key_free (st->meeting_key, SAMTAL_TOKEN_KEY_BYTES);
  g_free (st);
  server->booking = NULL;
}

gboolean
samtal_booking_api_register_full (SamtalServer *server, GError **error)
{
  guint8 *key = samtal_key_load_or_create (server->config->data_dir, "meeting.key",
                                           SAMTAL_TOKEN_KEY_BYTES, error);
  if (key == NULL)
    return FALSE;
  SamtalBookingState *st = g_new0 (SamtalBookingState, 1);
  st->meeting_key = key;
  server->booking = st;
  samtal_server_add_shutdown_hook (server, state_free, NULL, NULL);
  samtal_metrics_describe (server->metrics, "samtal_bookings_total", "counter",
                           "Bookings made.");
  samtal_metrics_describe (server->metrics, "samtal_bookings_failed_total", "counter",
                           "Booking attempts refused, by reason.");
  SamtalRouter *r = server->router;
  samtal_router_add (r, "POST", "/api/v1/bookings", handle_create, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/bookings", handle_list, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/bookings/{id}", handle_get, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/bookings/{id}/cancel", handle_cancel,
                     SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/bookings/{id}/reschedule", handle_reschedule,
                     SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/bookings/{id}/status", handle_status,
                     SAMTAL_ROUTE_STAFF);
  samtal_router_add (r, "GET", "/api/v1/bookings/{id}/ics", handle_ics, SAMTAL_ROUTE_SIGNED_IN);
  booking_rules_register (server);
  booking_join_register (server);
  return TRUE;
}

void
samtal_booking_api_register (SamtalServer *server)
{
  g_autoptr (GError) error = NULL;
  if (!samtal_booking_api_register_full (server, &error))
    g_error ("booking: cannot load meeting.key: %s", error->message);
}

gboolean
samtal_booking_get (SamtalServer *server, gint64 id, SamtalBooking *out, GError **error)
{
  g_auto (SamtalBookingRow) row = { 0 };
  if (!samtal_booking_store_get (server->store, id, &row, error))
    return FALSE;
  *out = row.b;
  return TRUE;
}

const char *
samtal_booking_status_name (SamtalBookingStatus status)
{
  static const char *const names[] = { "booked", "cancelled", "completed", "no_show" };
  return (guint) status < G_N_ELEMENTS (names) ? names[status] : "booked";
}
