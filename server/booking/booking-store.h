/* booking-store.h — the booking component's tables and queries (SQLite via core/store.h).
 *
 * Tables: availability_rules, availability_blocks, bookings (with triggers that refuse two
 * overlapping 'booked' rows of one staff member — the last line of defence behind the explicit
 * check inside BEGIN IMMEDIATE), booking_guests, idempotency_keys and unit_settings. Instants are
 * unix seconds (UTC); rule validity dates are Julian day numbers. Main thread only.
 */
#pragma once

#include "booking-api.h"
#include "slots.h"

G_BEGIN_DECLS

/* The migration steps of component "booking". */
gboolean samtal_booking_store_migrate (SamtalStore *store, GError **error);

/* A booking row with its display names (names may be NULL). */
typedef struct {
  SamtalBooking b;
  char *topic;
  char *staff_name, *staff_email;
  char *client_name, *client_email;
  gint64 created_at, updated_at, cancelled_at, cancelled_by;
  char *cancel_reason;
} SamtalBookingRow;

void samtal_booking_row_clear (SamtalBookingRow *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SamtalBookingRow, samtal_booking_row_clear)

/* Loads booking id; FALSE with SAMTAL_API_ERROR_NOT_FOUND when there is none. */
gboolean samtal_booking_store_get (SamtalStore *store, gint64 id, SamtalBookingRow *out,
                                   GError **error);

/* Rules of staff_id (all of them), as a GArray of SamtalRule (transfer full). */
GArray *samtal_rules_load (SamtalStore *store, gint64 staff_id, GError **error);
gint64 samtal_rule_insert (SamtalStore *store, const SamtalRule *rule, GError **error);
/* Deletes rule_id of staff_id; FALSE with NOT_FOUND when there is none. */
gboolean samtal_rule_delete (SamtalStore *store, gint64 staff_id, gint64 rule_id,
                             GError **error);

/* Blocks of staff_id overlapping [from, to), as a GArray of SamtalInterval (transfer full);
 * ids_out (nullable) gets their ids, reasons_out (nullable) their reasons (GPtrArray of char*). */
GArray *samtal_blocks_load (SamtalStore *store, gint64 staff_id, gint64 from, gint64 to,
                            GArray **ids_out, GPtrArray **reasons_out, GError **error);
gint64 samtal_block_insert (SamtalStore *store, gint64 staff_id, gint64 start, gint64 end,
                            const char *reason, GError **error);

/* 'booked' bookings of staff_id overlapping [from, to), except_id excluded (0 = none). */
GArray *samtal_busy_load (SamtalStore *store, gint64 staff_id, gint64 from, gint64 to,
                          gint64 except_id, GError **error);

/* Inserts a 'booked' booking; fails with SAMTAL_API_ERROR_SLOT_TAKEN when the overlap trigger
 * fires. Returns the new id or 0. */
gint64 samtal_booking_insert (SamtalStore *store, const SamtalBooking *b, const char *topic,
                              gint64 created_by, gint64 now, GError **error);

/* Moves a booked booking to [start, end) with sequence + 1 (SLOT_TAKEN on overlap). */
gboolean samtal_booking_move (SamtalStore *store, gint64 id, gint64 start, gint64 end,
                              gint64 now, GError **error);
/* Sets status (cancel also records who, when, why) with sequence + 1. */
gboolean samtal_booking_set_status (SamtalStore *store, gint64 id, SamtalBookingStatus status,
                                    gint64 actor_id, const char *reason, gint64 now,
                                    GError **error);

/* Booking ids matching a listing (any filter 0 = not applied), ordered by start, ≤ limit. */
typedef struct {
  gint64 client_id, staff_id, unit_id;
  gint64 from, to;   /* instants; 0 = open */
  guint limit;
} SamtalBookingFilter;
GArray *samtal_booking_list_ids (SamtalStore *store, const SamtalBookingFilter *f,
                                 GError **error);

/* Unit settings with defaults (2 h notice, 90 days horizon) when the unit has none. */
typedef struct {
  gint64 min_notice_minutes;
  gint64 horizon_days;
} SamtalUnitSettings;
void samtal_unit_settings_get (SamtalStore *store, gint64 unit_id, SamtalUnitSettings *out);
gboolean samtal_unit_settings_set (SamtalStore *store, gint64 unit_id,
                                   const SamtalUnitSettings *s, GError **error);

/* Guests. Returns the new guest id or 0. */
gint64 samtal_guest_insert (SamtalStore *store, gint64 booking_id, const char *name,
                            const char *kind, gint64 created_by, gint64 now, GError **error);

/* Idempotency records: (user, key) → request hash, status, response body, kept 24 hours. */
#define SAMTAL_IDEM_RETENTION_SECONDS (24 * 3600)
gboolean samtal_idem_lookup (SamtalStore *store, gint64 user_id, const char *key,
                             char **hash_out, guint *status_out, char **body_out);
gboolean samtal_idem_store (SamtalStore *store, gint64 user_id, const char *key,
                            const char *hash, guint status, const char *body, gint64 now,
                            GError **error);

/* Ids of the staff (caseworker, officer, admin) of unit_id, ordered (transfer full). */
GArray *samtal_unit_staff_ids (SamtalStore *store, gint64 unit_id, GError **error);

/* Deletes block_id of staff_id; FALSE with NOT_FOUND when there is none. */
gboolean samtal_block_delete (SamtalStore *store, gint64 staff_id, gint64 block_id,
                              GError **error);

/* A user's role and unit, for access checks on ids taken from requests (FALSE: no such user). */
gboolean samtal_booking_user_info (SamtalStore *store, gint64 user_id, char **role_out,
                                   gint64 *unit_id_out, char **name_out);

G_END_DECLS
