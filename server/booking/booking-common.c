/* booking-common.c — what the booking handlers share: roles and access rules, loading a
 * booking for the caller (404 when it is not theirs to see), the booking's JSON form, audit
 * entries, error replies that roll back, and the free slots of one staff member with the unit's
 * notice and horizon.
 */
#include "booking-private.h"

#include "core/errors.h"

/* ---------- shared helpers ---------- */

gint64
booking_now (SamtalServer *server)
{
  return samtal_server_now_us (server) / G_USEC_PER_SEC;
}

gboolean
booking_is_admin (const SamtalUser *me)
{
  return me && g_strcmp0 (me->role, "admin") == 0;
}

gboolean
booking_is_staff (const SamtalUser *me)
{
  return me && (g_strcmp0 (me->role, "caseworker") == 0 || g_strcmp0 (me->role, "officer") == 0 ||
                g_strcmp0 (me->role, "admin") == 0);
}

gboolean
booking_is_officer_of (const SamtalUser *me, gint64 unit_id)
{
  return me && g_strcmp0 (me->role, "officer") == 0 && unit_id > 0 && me->unit_id == unit_id;
}

gboolean
booking_can_access (const SamtalUser *me, const SamtalBooking *b)
{
  return booking_is_admin (me) || (me && (me->id == b->client_id || me->id == b->staff_id)) ||
         booking_is_officer_of (me, b->unit_id);
}

gboolean
booking_can_manage_staff (const SamtalUser *me, gint64 staff_id, gint64 staff_unit)
{
  return booking_is_admin (me) || (me && me->id == staff_id) ||
         booking_is_officer_of (me, staff_unit);
}

void
booking_fail (SamtalRequest *req, const GError *error)
{
  SamtalServer *server = samtal_request_server (req);
  if (samtal_store_in_transaction (server->store))
    samtal_store_rollback (server->store);
  if (g_error_matches (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_SLOT_TAKEN))
    samtal_metrics_inc (server->metrics, "samtal_bookings_failed_total", "reason=\"slot_taken\"");
  samtal_reply_gerror (req, error);
}

gboolean
booking_load_for (SamtalRequest *req, gint64 id, SamtalBookingRow *row)
{
  SamtalServer *server = samtal_request_server (req);
  g_autoptr (GError) error = NULL;
  if (!samtal_booking_store_get (server->store, id, row, &error)) {
    booking_fail (req, error);
    return FALSE;
  }
  if (!booking_can_access (samtal_request_user (req), &row->b)) {
    samtal_booking_row_clear (row);
    samtal_reply_error (req, 404, "not_found", "no such booking");
    return FALSE;
  }
  return TRUE;
}

static void
set_time (JsonObject *o, const char *name, gint64 t, GTimeZone *tz)
{
  if (t == 0) {
    json_object_set_null_member (o, name);
    return;
  }
  g_autofree char *text = samtal_format_unix (t, tz);
  json_object_set_string_member (o, name, text);
}

static void
set_text_or_null (JsonObject *o, const char *name, const char *text)
{
  if (text)
    json_object_set_string_member (o, name, text);
  else
    json_object_set_null_member (o, name);
}

JsonNode *
booking_to_json (SamtalServer *server, const SamtalBookingRow *row)
{
  JsonObject *o = json_object_new ();
  const SamtalBooking *b = &row->b;
  json_object_set_int_member (o, "id", b->id);
  json_object_set_int_member (o, "staff_id", b->staff_id);
  json_object_set_int_member (o, "client_id", b->client_id);
  samtal_json_set_id_or_null (o, "case_id", b->case_id);
  samtal_json_set_id_or_null (o, "unit_id", b->unit_id);
  set_time (o, "start", b->start, server->tz);
  set_time (o, "end", b->end, server->tz);
  json_object_set_int_member (o, "duration_minutes", (b->end - b->start) / 60);
  json_object_set_string_member (o, "status", samtal_booking_status_name (b->status));
  set_text_or_null (o, "topic", row->topic);
  json_object_set_int_member (o, "sequence", b->sequence);
  set_text_or_null (o, "staff_name", row->staff_name);
  set_text_or_null (o, "client_name", row->client_name);
  set_time (o, "created_at", row->created_at, server->tz);
  set_time (o, "updated_at", row->updated_at, server->tz);
  set_time (o, "cancelled_at", row->cancelled_at, server->tz);
  samtal_json_set_id_or_null (o, "cancelled_by", row->cancelled_by);
  set_text_or_null (o, "cancel_reason", row->cancel_reason);
  return samtal_json_object_node (o);
}

gboolean
booking_audit (SamtalServer *server, gint64 actor, const char *action, gint64 id,
               const char *detail, GError **error)
{
  return samtal_audit_append (server->audit, actor, action, "booking", id, detail, error);
}

/* ---------- slots for one staff member ---------- */

#define JULIAN_1970 719163

GArray *
booking_staff_slots (SamtalServer *server, gint64 staff_id, gint64 unit_id, guint32 from,
                     guint32 to, gboolean with_bookings, gint64 except_id, gboolean ignore_window,
                     GError **error)
{
  g_autoptr (GArray) rules = samtal_rules_load (server->store, staff_id, error);
  if (rules == NULL)
    return NULL;
  /* Busy intervals from two days before to two days after the range, in any zone. */
  gint64 lo = ((gint64) from - JULIAN_1970 - 2) * 86400;
  gint64 hi = ((gint64) to - JULIAN_1970 + 3) * 86400;
  g_autoptr (GArray) blocks = samtal_blocks_load (server->store, staff_id, lo, hi, NULL, NULL,
                                                  error);
  if (blocks == NULL)
    return NULL;
  g_autoptr (GArray) busy = with_bookings
      ? samtal_busy_load (server->store, staff_id, lo, hi, except_id, error)
      : g_array_new (FALSE, FALSE, sizeof (SamtalInterval));
  if (busy == NULL)
    return NULL;
  SamtalUnitSettings settings;
  samtal_unit_settings_get (server->store, unit_id, &settings);
  SamtalSlotQuery q = {
    .tz = server->tz, .now = ignore_window ? 0 : booking_now (server),
    .min_notice_seconds = ignore_window ? 0 : settings.min_notice_minutes * 60,
    .horizon_seconds = ignore_window ? 0 : settings.horizon_days * 86400,
    .from = from, .to = to,
  };
  return samtal_slots_compute (&q, (SamtalRule *) rules->data, rules->len,
                               (SamtalInterval *) blocks->data, blocks->len,
                               (SamtalInterval *) busy->data, busy->len);
}

int
booking_default_duration (SamtalServer *server, gint64 staff_id, gint64 start)
{
  g_autoptr (GArray) rules = samtal_rules_load (server->store, staff_id, NULL);
  if (rules == NULL || rules->len == 0)
    return SAMTAL_DEFAULT_DURATION_MINUTES;
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_timezone (utc, server->tz) : NULL;
  if (local) {
    int wd = g_date_time_get_day_of_week (local);
    int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
    for (guint i = 0; i < rules->len; i++) {
      SamtalRule *r = &g_array_index (rules, SamtalRule, i);
      if (r->weekday == wd && minute >= r->start_min && minute < r->end_min)
        return r->slot_minutes;
    }
  }
  return g_array_index (rules, SamtalRule, 0).slot_minutes;
}
