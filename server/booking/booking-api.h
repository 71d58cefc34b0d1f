/* booking-api.h — the booking component's entry points for samtal-server.
 *
 * Availability rules and blocks, free slots, bookings (race-free, idempotent), cancel,
 * reschedule, status, iCalendar, meeting join tokens and guest invitations: see
 * docs/api.md. main.c calls, in this order: samtal_booking_migrate(), then
 * samtal_booking_api_register() (after core's routes), then — with --demo — samtal_demo_seed().
 * The meeting glue looks bookings up with samtal_booking_get().
 */
#pragma once

#include "core/server.h"

G_BEGIN_DECLS

/* Applies the booking schema migrations (tables rules, blocks, bookings, guests, idempotency,
 * unit_settings). Needs core's schema (users, units) first. */
gboolean samtal_booking_migrate (SamtalServer *server, GError **error);

/* Loads meeting.key from the data dir into server->booking and registers the routes under
 * /api/v1/staff/{id}/rules|blocks, /api/v1/slots and /api/v1/bookings. Fatal (g_error) only if
 * the key file cannot be read or made, which main.c cannot recover from either. */
void samtal_booking_api_register (SamtalServer *server);

/* Like samtal_booking_api_register but reports a key-file failure instead of aborting. */
gboolean samtal_booking_api_register_full (SamtalServer *server, GError **error);

/* Seeds the demo municipality if the database has no users yet (else does nothing and returns
 * TRUE): units Färdtjänst, Barn och unga, Ekonomiskt bistånd; an admin, three staff with weekly
 * rules Mon–Fri, a client and a case; prints the demo logins to stdout. Slow (hashes passwords). */
gboolean samtal_demo_seed (SamtalServer *server, GError **error);

typedef enum {
  SAMTAL_BOOKING_BOOKED,
  SAMTAL_BOOKING_CANCELLED,
  SAMTAL_BOOKING_COMPLETED,
  SAMTAL_BOOKING_NO_SHOW,
} SamtalBookingStatus;

typedef struct {
  gint64 id;
  SamtalBookingStatus status;
  gint64 start;       /* unix seconds */
  gint64 end;         /* unix seconds */
  gint64 staff_id;
  gint64 client_id;
  gint64 case_id;     /* 0 = none */
  gint64 unit_id;     /* the staff member's unit at booking time (0 = none) */
  int sequence;
} SamtalBooking;

/* Looks booking id up (main thread). FALSE with SAMTAL_API_ERROR_NOT_FOUND if there is none. */
gboolean samtal_booking_get (SamtalServer *server, gint64 id, SamtalBooking *out,
                             GError **error);

/* "booked", "cancelled", "completed", "no_show". */
const char *samtal_booking_status_name (SamtalBookingStatus status);

G_END_DECLS
