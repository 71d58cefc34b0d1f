/* booking-private.h — what the booking component's handler files share: its state in
 * server->booking, JSON forms of its objects, the access rules and small request helpers.
 */
#pragma once

#include "booking-api.h"
#include "booking-store.h"
#include "core/audit.h"
#include "core/http.h"

G_BEGIN_DECLS

#define SAMTAL_TOPIC_MAX_CHARS 200
#define SAMTAL_IDEM_KEY_MAX_CHARS 200
#define SAMTAL_JOIN_EARLY_SECONDS (15 * 60)   /* a meeting opens 15 min before its start */
#define SAMTAL_JOIN_LATE_SECONDS (30 * 60)    /* and closes at the latest 30 min after its end */
#define SAMTAL_DEFAULT_DURATION_MINUTES 30

typedef struct {
  guint8 *meeting_key;   /* SAMTAL_TOKEN_KEY_BYTES, from meeting.key */
} SamtalBookingState;

/* Now, in unix seconds (through core's clock). */
gint64 booking_now (SamtalServer *server);

/* Role tests on a user (NULL-safe). */
gboolean booking_is_admin (const SamtalUser *me);
gboolean booking_is_staff (const SamtalUser *me);
gboolean booking_is_officer_of (const SamtalUser *me, gint64 unit_id);

/* May me read (and cancel/reschedule) booking b: its client, its staff, an officer of its unit,
 * an admin. */
gboolean booking_can_access (const SamtalUser *me, const SamtalBooking *b);
/* May me manage the availability of staff member staff_id (of unit staff_unit): that staff
 * member, an officer of the unit, an admin. */
gboolean booking_can_manage_staff (const SamtalUser *me, gint64 staff_id, gint64 staff_unit);

/* Loads booking id for me: replies 404 (also when me may not see it, so existence does not
 * leak) and returns FALSE when not accessible. */
gboolean booking_load_for (SamtalRequest *req, gint64 id, SamtalBookingRow *row);

/* The contract's booking object (transfer full). */
JsonNode *booking_to_json (SamtalServer *server, const SamtalBookingRow *row);

/* Appends an audit entry, naming the booking. */
gboolean booking_audit (SamtalServer *server, gint64 actor, const char *action, gint64 id,
                        const char *detail, GError **error);

/* Replies error after rolling back the open transaction. */
void booking_fail (SamtalRequest *req, const GError *error);

/* Idempotency-Key handling. booking_idem_replay: if the request carries a key already used by
 * this user, replies (the stored answer, or 422 when the body differs) and returns TRUE.
 * booking_idem_remember: inside the caller's transaction, stores the answer under the key (no-op
 * without a key). */
gboolean booking_idem_replay (SamtalRequest *req, const char *scope);
gboolean booking_idem_remember (SamtalRequest *req, const char *scope, guint status,
                                JsonNode *answer, GError **error);

/* The wall-clock length (minutes) of the rule of staff_id covering the local time of start,
 * else of any rule of theirs, else SAMTAL_DEFAULT_DURATION_MINUTES. */
int booking_default_duration (SamtalServer *server, gint64 staff_id, gint64 start);

/* The free slots of one staff member for local days from..to (Julian), with the unit's notice
 * and horizon unless ignore_window. with_bookings FALSE leaves existing bookings out (to tell
 * "not a slot" from "taken"); except_id is left out of the bookings. (transfer full) */
GArray *booking_staff_slots (SamtalServer *server, gint64 staff_id, gint64 unit_id,
                             guint32 from, guint32 to, gboolean with_bookings, gint64 except_id,
                             gboolean ignore_window, GError **error);

/* Route registration per file. */
void booking_rules_register (SamtalServer *server);
void booking_join_register (SamtalServer *server);

G_END_DECLS
