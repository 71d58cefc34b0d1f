/* booking-store.c — SQL for the booking component (see booking-store.h).
 *
 * Every function is one statement or a short loop over one; transactions are the caller's (the
 * handlers open BEGIN IMMEDIATE around check-and-write). The overlap triggers raise 'slot_taken',
 * which this file turns into SAMTAL_API_ERROR_SLOT_TAKEN.
 */
#include "booking-store.h"

#include "core/errors.h"

#include <string.h>

static const char *const booking_steps[] = {
  /* 1 */
  "CREATE TABLE unit_settings ("
  "  unit_id INTEGER PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,"
  "  min_notice_minutes INTEGER NOT NULL DEFAULT 120 CHECK (min_notice_minutes >= 0),"
  "  horizon_days INTEGER NOT NULL DEFAULT 90 CHECK (horizon_days BETWEEN 1 AND 730));"
  "CREATE TABLE availability_rules ("
  "  id INTEGER PRIMARY KEY,"
  "  staff_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
  "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
  "  start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),"
  "  end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),"
  "  slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),"
  "  buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 240),"
  "  valid_from INTEGER, valid_until INTEGER,"
  "  CHECK (start_min < end_min));"
  "CREATE INDEX availability_rules_staff ON availability_rules (staff_id);"
  "CREATE TABLE availability_blocks ("
  "  id INTEGER PRIMARY KEY,"
  "  staff_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
  "  start_s INTEGER NOT NULL, end_s INTEGER NOT NULL, reason TEXT,"
  "  CHECK (start_s < end_s));"
  "CREATE INDEX availability_blocks_staff ON availability_blocks (staff_id, start_s);"
  "CREATE TABLE bookings ("
  "  id INTEGER PRIMARY KEY,"
  "  staff_id INTEGER NOT NULL REFERENCES users(id),"
  "  client_id INTEGER NOT NULL REFERENCES users(id),"
  "  unit_id INTEGER REFERENCES units(id),"
  "  case_id INTEGER,"
  "  start_s INTEGER NOT NULL, end_s INTEGER NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'booked'"
  "    CHECK (status IN ('booked', 'cancelled', 'completed', 'no_show')),"
  "  topic TEXT, sequence INTEGER NOT NULL DEFAULT 0,"
  "  created_by INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
  "  cancelled_by INTEGER, cancelled_at INTEGER, cancel_reason TEXT,"
  "  CHECK (start_s < end_s));"
  "CREATE INDEX bookings_staff_time ON bookings (staff_id, start_s);"
  "CREATE INDEX bookings_client_time ON bookings (client_id, start_s);"
  "CREATE INDEX bookings_unit_time ON bookings (unit_id, start_s);"
  "CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings"
  "  WHEN NEW.status = 'booked' BEGIN"
  "  SELECT RAISE (ABORT, 'slot_taken') WHERE EXISTS (SELECT 1 FROM bookings"
  "    WHERE staff_id = NEW.staff_id AND status = 'booked'"
  "      AND start_s < NEW.end_s AND NEW.start_s < end_s);"
  "END;"
  "CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF staff_id, start_s, end_s, status"
  "  ON bookings WHEN NEW.status = 'booked' BEGIN"
  "  SELECT RAISE (ABORT, 'slot_taken') WHERE EXISTS (SELECT 1 FROM bookings"
  "    WHERE staff_id = NEW.staff_id AND status = 'booked' AND id <> NEW.id"
  "      AND start_s < NEW.end_s AND NEW.start_s < end_s);"
  "END;"
  "CREATE TABLE booking_guests ("
  "  id INTEGER PRIMARY KEY,"
  "  booking_id INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('interpreter', 'guest')),"
  "  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL);"
  "CREATE INDEX booking_guests_booking ON booking_guests (booking_id);"
  "CREATE TABLE idempotency_keys ("
  "  user_id INTEGER NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,"
  "  status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (user_id, key));",
  /* 2 */
  "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);",
};

gboolean
samtal_booking_store_migrate (SamtalStore *store, GError **error)
{
  return samtal_store_migrate (store, "booking", booking_steps, G_N_ELEMENTS (booking_steps),
                               error);
}

static gint64
col_int (sqlite3_stmt *st, int i)
{
  return sqlite3_column_type (st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64 (st, i);
}

/* Turns the overlap trigger's constraint error into SLOT_TAKEN; other errors pass through. */
static void
map_overlap_error (GError **error, GError *local)
{
  if (local && g_error_matches (local, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_CONSTRAINT) &&
      strstr (local->message, "slot_taken")) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_SLOT_TAKEN,
                 "that time is already booked");
    g_error_free (local);
    return;
  }
  g_propagate_error (error, local);
}

void
samtal_booking_row_clear (SamtalBookingRow *row)
{
  g_clear_pointer (&row->topic, g_free);
  g_clear_pointer (&row->staff_name, g_free);
  g_clear_pointer (&row->staff_email, g_free);
  g_clear_pointer (&row->client_name, g_free);
  g_clear_pointer (&row->client_email, g_free);
  g_clear_pointer (&row->cancel_reason, g_free);
}

static SamtalBookingStatus
status_from_text (const char *s)
{
  if (g_strcmp0 (s, "cancelled") == 0)
    return SAMTAL_BOOKING_CANCELLED;
  if (g_strcmp0 (s, "completed") == 0)
    return SAMTAL_BOOKING_COMPLETED;
  if (g_strcmp0 (s, "no_show") == 0)
    return SAMTAL_BOOKING_NO_SHOW;
  return SAMTAL_BOOKING_BOOKED;
}

gboolean
samtal_booking_store_get (SamtalStore *store, gint64 id, SamtalBookingRow *out, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT b.id, b.status, b.start_s, b.end_s, b.staff_id, b.client_id, b.case_id, b.unit_id,"
      " b.sequence, b.topic, s.name, s.email, c.name, c.email, b.created_at, b.updated_at,"
      " b.cancelled_at, b.cancelled_by, b.cancel_reason"
      " FROM bookings b LEFT JOIN users s ON s.id = b.staff_id"
      " LEFT JOIN users c ON c.id = b.client_id WHERE b.id = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  int rc = samtal_store_step (store, st, error);
  if (rc < 0)
    return FALSE;
  if (rc != SQLITE_ROW) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND, "no such booking");
    return FALSE;
  }
  memset (out, 0, sizeof *out);
  out->b.id = col_int (st, 0);
  out->b.status = status_from_text ((const char *) sqlite3_column_text (st, 1));
  out->b.start = col_int (st, 2), out->b.end = col_int (st, 3);
  out->b.staff_id = col_int (st, 4), out->b.client_id = col_int (st, 5);
  out->b.case_id = col_int (st, 6), out->b.unit_id = col_int (st, 7);
  out->b.sequence = (int) col_int (st, 8);
  out->topic = samtal_store_column_dup (st, 9);
  out->staff_name = samtal_store_column_dup (st, 10);
  out->staff_email = samtal_store_column_dup (st, 11);
  out->client_name = samtal_store_column_dup (st, 12);
  out->client_email = samtal_store_column_dup (st, 13);
  out->created_at = col_int (st, 14), out->updated_at = col_int (st, 15);
  out->cancelled_at = col_int (st, 16), out->cancelled_by = col_int (st, 17);
  out->cancel_reason = samtal_store_column_dup (st, 18);
  return TRUE;
}

GArray *
samtal_rules_load (SamtalStore *store, gint64 staff_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT id, staff_id, weekday, start_min, end_min, slot_minutes, buffer_minutes,"
      " valid_from, valid_until FROM availability_rules WHERE staff_id = ?"
      " ORDER BY weekday, start_min, id", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, staff_id);
  g_autoptr (GArray) rules = g_array_new (FALSE, TRUE, sizeof (SamtalRule));
  int rc;
  while ((rc = samtal_store_step (store, st, error)) == SQLITE_ROW) {
    SamtalRule r = {
      .id = col_int (st, 0), .staff_id = col_int (st, 1), .weekday = (int) col_int (st, 2),
      .start_min = (int) col_int (st, 3), .end_min = (int) col_int (st, 4),
      .slot_minutes = (int) col_int (st, 5), .buffer_minutes = (int) col_int (st, 6),
      .valid_from = (guint32) col_int (st, 7), .valid_until = (guint32) col_int (st, 8),
    };
    g_array_append_val (rules, r);
  }
  return rc < 0 ? NULL : g_steal_pointer (&rules);
}

static void
bind_julian (sqlite3_stmt *st, int i, guint32 julian)
{
  if (julian)
    sqlite3_bind_int64 (st, i, julian);
  else
    sqlite3_bind_null (st, i);
}

gint64
samtal_rule_insert (SamtalStore *store, const SamtalRule *r, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO availability_rules (staff_id, weekday, start_min, end_min, slot_minutes,"
      " buffer_minutes, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, r->staff_id);
  sqlite3_bind_int (st, 2, r->weekday);
  sqlite3_bind_int (st, 3, r->start_min);
  sqlite3_bind_int (st, 4, r->end_min);
  sqlite3_bind_int (st, 5, r->slot_minutes);
  sqlite3_bind_int (st, 6, r->buffer_minutes);
  bind_julian (st, 7, r->valid_from);
  bind_julian (st, 8, r->valid_until);
  return samtal_store_run (store, st, error) ? samtal_store_last_insert_rowid (store) : 0;
}

gboolean
samtal_rule_delete (SamtalStore *store, gint64 staff_id, gint64 rule_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "DELETE FROM availability_rules WHERE id = ? AND staff_id = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, rule_id);
  sqlite3_bind_int64 (st, 2, staff_id);
  return samtal_store_run_one (store, st, "rule", error);
}

GArray *
samtal_blocks_load (SamtalStore *store, gint64 staff_id, gint64 from, gint64 to,
                    GArray **ids_out, GPtrArray **reasons_out, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT id, start_s, end_s, reason FROM availability_blocks"
      " WHERE staff_id = ? AND start_s < ? AND end_s > ? ORDER BY start_s, id LIMIT 2000", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, staff_id);
  sqlite3_bind_int64 (st, 2, to);
  sqlite3_bind_int64 (st, 3, from);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (SamtalInterval));
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  int rc;
  while ((rc = samtal_store_step (store, st, error)) == SQLITE_ROW) {
    gint64 id = col_int (st, 0);
    SamtalInterval iv = { col_int (st, 1), col_int (st, 2) };
    g_array_append_val (out, iv);
    g_array_append_val (ids, id);
    g_ptr_array_add (reasons, samtal_store_column_dup (st, 3));
  }
  if (rc < 0)
    return NULL;
  if (ids_out)
    *ids_out = g_steal_pointer (&ids);
  if (reasons_out)
    *reasons_out = g_steal_pointer (&reasons);
  return g_steal_pointer (&out);
}

gint64
samtal_block_insert (SamtalStore *store, gint64 staff_id, gint64 start, gint64 end,
                     const char *reason, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO availability_blocks (staff_id, start_s, end_s, reason) VALUES (?, ?, ?, ?)",
      error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, staff_id);
  sqlite3_bind_int64 (st, 2, start);
  sqlite3_bind_int64 (st, 3, end);
  sqlite3_bind_text (st, 4, reason, -1, SQLITE_TRANSIENT);
  return samtal_store_run (store, st, error) ? samtal_store_last_insert_rowid (store) : 0;
}

GArray *
samtal_busy_load (SamtalStore *store, gint64 staff_id, gint64 from, gint64 to, gint64 except_id,
                  GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT start_s, end_s FROM bookings WHERE staff_id = ? AND status = 'booked'"
      " AND start_s < ? AND end_s > ? AND id <> ? ORDER BY start_s", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, staff_id);
  sqlite3_bind_int64 (st, 2, to);
  sqlite3_bind_int64 (st, 3, from);
  sqlite3_bind_int64 (st, 4, except_id);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (SamtalInterval));
  int rc;
  while ((rc = samtal_store_step (store, st, error)) == SQLITE_ROW) {
    SamtalInterval iv = { col_int (st, 0), col_int (st, 1) };
    g_array_append_val (out, iv);
  }
  return rc < 0 ? NULL : g_steal_pointer (&out);
}

static void
bind_id_or_null (sqlite3_stmt *st, int i, gint64 id)
{
  if (id > 0)
    sqlite3_bind_int64 (st, i, id);
  else
    sqlite3_bind_null (st, i);
}

gint64
samtal_booking_insert (SamtalStore *store, const SamtalBooking *b, const char *topic,
                       gint64 created_by, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO bookings (staff_id, client_id, unit_id, case_id, start_s, end_s, status,"
      " topic, sequence, created_by, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, 0, ?, ?, ?)", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, b->staff_id);
  sqlite3_bind_int64 (st, 2, b->client_id);
  bind_id_or_null (st, 3, b->unit_id);
  bind_id_or_null (st, 4, b->case_id);
  sqlite3_bind_int64 (st, 5, b->start);
  sqlite3_bind_int64 (st, 6, b->end);
  sqlite3_bind_text (st, 7, topic, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 8, created_by);
  sqlite3_bind_int64 (st, 9, now);
  sqlite3_bind_int64 (st, 10, now);
  GError *local = NULL;
  if (!samtal_store_run (store, st, &local)) {
    map_overlap_error (error, local);
    return 0;
  }
  return samtal_store_last_insert_rowid (store);
}

gboolean
samtal_booking_move (SamtalStore *store, gint64 id, gint64 start, gint64 end, gint64 now,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "UPDATE bookings SET start_s = ?, end_s = ?, sequence = sequence + 1, updated_at = ?"
      " WHERE id = ? AND status = 'booked'", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, start);
  sqlite3_bind_int64 (st, 2, end);
  sqlite3_bind_int64 (st, 3, now);
  sqlite3_bind_int64 (st, 4, id);
  GError *local = NULL;
  if (!samtal_store_run (store, st, &local)) {
    map_overlap_error (error, local);
    return FALSE;
  }
  if (samtal_store_changes (store) == 0) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_CONFLICT, "the booking is not active");
    return FALSE;
  }
  return TRUE;
}

gboolean
samtal_booking_set_status (SamtalStore *store, gint64 id, SamtalBookingStatus status,
                           gint64 actor_id, const char *reason, gint64 now, GError **error)
{
  gboolean cancel = status == SAMTAL_BOOKING_CANCELLED;
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store, cancel
      ? "UPDATE bookings SET status = ?, sequence = sequence + 1, updated_at = ?,"
        " cancelled_by = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ?"
      : "UPDATE bookings SET status = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
      error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, samtal_booking_status_name (status), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, now);
  if (cancel) {
    sqlite3_bind_int64 (st, 3, actor_id);
    sqlite3_bind_int64 (st, 4, now);
    sqlite3_bind_text (st, 5, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (st, 6, id);
  } else {
    sqlite3_bind_int64 (st, 3, id);
  }
  GError *local = NULL;
  if (!samtal_store_run (store, st, &local)) {
    map_overlap_error (error, local);
    return FALSE;
  }
  return TRUE;
}

GArray *
samtal_booking_list_ids (SamtalStore *store, const SamtalBookingFilter *f, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT id FROM bookings WHERE (?1 = 0 OR client_id = ?1) AND (?2 = 0 OR staff_id = ?2)"
      " AND (?3 = 0 OR unit_id = ?3) AND (?4 = 0 OR end_s > ?4) AND (?5 = 0 OR start_s < ?5)"
      " ORDER BY start_s, id LIMIT ?6", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, f->client_id);
  sqlite3_bind_int64 (st, 2, f->staff_id);
  sqlite3_bind_int64 (st, 3, f->unit_id);
  sqlite3_bind_int64 (st, 4, f->from);
  sqlite3_bind_int64 (st, 5, f->to);
  sqlite3_bind_int64 (st, 6, f->limit ? f->limit : 500);
  return samtal_store_collect_ids (store, st, error);
}

void
samtal_unit_settings_get (SamtalStore *store, gint64 unit_id, SamtalUnitSettings *out)
{
  out->min_notice_minutes = 120;
  out->horizon_days = 90;
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT min_notice_minutes, horizon_days FROM unit_settings WHERE unit_id = ?", NULL);
  if (st == NULL)
    return;
  sqlite3_bind_int64 (st, 1, unit_id);
  if (samtal_store_step (store, st, NULL) == SQLITE_ROW) {
    out->min_notice_minutes = col_int (st, 0);
    out->horizon_days = col_int (st, 1);
  }
}

gboolean
samtal_unit_settings_set (SamtalStore *store, gint64 unit_id, const SamtalUnitSettings *s,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO unit_settings (unit_id, min_notice_minutes, horizon_days) VALUES (?, ?, ?)"
      " ON CONFLICT (unit_id) DO UPDATE SET min_notice_minutes = excluded.min_notice_minutes,"
      " horizon_days = excluded.horizon_days", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, unit_id);
  sqlite3_bind_int64 (st, 2, s->min_notice_minutes);
  sqlite3_bind_int64 (st, 3, s->horizon_days);
  return samtal_store_run (store, st, error);
}

gint64
samtal_guest_insert (SamtalStore *store, gint64 booking_id, const char *name, const char *kind,
                     gint64 created_by, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO booking_guests (booking_id, name, kind, created_by, created_at)"
      " VALUES (?, ?, ?, ?, ?)", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, booking_id);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, created_by);
  sqlite3_bind_int64 (st, 5, now);
  return samtal_store_run (store, st, error) ? samtal_store_last_insert_rowid (store) : 0;
}

gboolean
samtal_idem_lookup (SamtalStore *store, gint64 user_id, const char *key, char **hash_out,
                    guint *status_out, char **body_out)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = ? AND key = ?",
      NULL);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, user_id);
  sqlite3_bind_text (st, 2, key, -1, SQLITE_TRANSIENT);
  if (samtal_store_step (store, st, NULL) != SQLITE_ROW)
    return FALSE;
  *hash_out = samtal_store_column_dup (st, 0);
  *status_out = (guint) col_int (st, 1);
  *body_out = samtal_store_column_dup (st, 2);
  return TRUE;
}

gboolean
samtal_idem_store (SamtalStore *store, gint64 user_id, const char *key, const char *hash,
                   guint status, const char *body, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)"
      " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, user_id);
  sqlite3_bind_text (st, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 4, (int) status);
  sqlite3_bind_text (st, 5, body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, now);
  if (!samtal_store_run (store, st, error))
    return FALSE;
  /* Keys are kept for SAMTAL_IDEM_RETENTION_SECONDS; older ones go as new ones arrive. */
  g_autoptr (sqlite3_stmt) old = samtal_store_prepare (store,
      "DELETE FROM idempotency_keys WHERE created_at < ?", error);
  if (old == NULL)
    return FALSE;
  sqlite3_bind_int64 (old, 1, now - SAMTAL_IDEM_RETENTION_SECONDS);
  return samtal_store_run (store, old, error);
}

gboolean
samtal_booking_user_info (SamtalStore *store, gint64 user_id, char **role_out,
                          gint64 *unit_id_out, char **name_out)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT role, unit_id, name FROM users WHERE id = ?", NULL);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, user_id);
  if (samtal_store_step (store, st, NULL) != SQLITE_ROW)
    return FALSE;
  if (role_out)
    *role_out = samtal_store_column_dup (st, 0);
  if (unit_id_out)
    *unit_id_out = col_int (st, 1);
  if (name_out)
    *name_out = samtal_store_column_dup (st, 2);
  return TRUE;
}

GArray *
samtal_unit_staff_ids (SamtalStore *store, gint64 unit_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT id FROM users WHERE unit_id = ? AND role IN ('caseworker', 'officer', 'admin')"
      " ORDER BY id LIMIT 200", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, unit_id);
  return samtal_store_collect_ids (store, st, error);
}

gboolean
samtal_block_delete (SamtalStore *store, gint64 staff_id, gint64 block_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "DELETE FROM availability_blocks WHERE id = ? AND staff_id = ?", error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, block_id);
  sqlite3_bind_int64 (st, 2, staff_id);
  return samtal_store_run_one (store, st, "block", error);
}
