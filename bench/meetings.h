/* meetings.h — sets up M meetings of P seats on a fresh benchmark server through its real
 * interfaces: one caseworker and one client per meeting (`user add` CLI, before the server
 * starts), a booking that starts now (staff may book a client at any start), join tokens from
 * `POST /api/v1/bookings/{id}/join`, and guest tokens (`POST …/guests`) for seats beyond two.
 */
#pragma once

#include <glib.h>

#include "server.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  char *ws_url;
  char *token;
  gboolean staff;
  guint meeting;
} BenchSeat;

void bench_seat_free (BenchSeat *seat);

#define BENCH_PASSWORD "Bench-pass-7Qx!r2"

/* Creates the users of meetings (call before bench_server_start). */
gboolean bench_meetings_add_users (BenchServer *server, guint meetings, GError **error);

/* With the server running: books and fetches tokens. Returns BenchSeat* (transfer full), staff
 * first within each meeting. */
GPtrArray *bench_meetings_book (BenchServer *server, guint meetings, guint participants,
                                GError **error);

/* "now, rounded down to the minute" as RFC 3339 with the local offset (transfer full). */
char *bench_rfc3339_now_minute (void);

G_END_DECLS
