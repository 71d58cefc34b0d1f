/* meetings.h — the server's meeting glue: the media relay and the signaling hub at /ws, wired to
 * the bookings (who may enter when) and to the audit trail.
 *
 * main.c calls samtal_meetings_setup() after samtal_server_listen() and
 * samtal_meetings_shutdown() at SIGTERM/SIGINT (main.c registers it as a shutdown hook; it is
 * idempotent). Nothing else in the server needs to know about media: the relay and the hub live
 * in server->meetings.
 *
 * Test support: with the environment variable SAMTAL_MEETINGS_DEBUG=1 at start, the server also
 * answers GET /debug/relay?room=ID (loopback clients only) with the GStreamer element factories of
 * that room's relay pipeline and the relay's counters, so tests can check that nothing is decoded
 * or encoded. Without it the path does not exist. The relay's counters are always exported on
 * /metrics (samtal_relay_rooms, samtal_relay_participants, samtal_relay_forwarded_packets,
 * samtal_meetings_active, samtal_meetings_participants, samtal_meetings_waiting).
 */
#pragma once

#include <libsoup/soup.h>

#include "core/server.h"
#include "hub.h"

G_BEGIN_DECLS

#define SAMTAL_MEETINGS_ERROR (samtal_meetings_error_quark ())
GQuark samtal_meetings_error_quark (void);

typedef enum {
  SAMTAL_MEETINGS_ERROR_CLOSED,     /* unknown, cancelled or outside its join window */
  SAMTAL_MEETINGS_ERROR_NOT_YOURS,  /* the token's user is neither the booking's client nor staff */
} SamtalMeetingsError;

/* How long before the booked start a meeting opens, and how long after its end it closes. */
#define SAMTAL_MEETINGS_OPEN_BEFORE_S (15 * 60)
#define SAMTAL_MEETINGS_CLOSE_AFTER_S (30 * 60)

/* Loads (or creates) data_dir/meeting.key, creates the relay (config: ice addresses, STUN, TURN)
 * and the hub, and attaches the hub at /ws on soup. FALSE with error when the key or the relay
 * cannot be made. */
gboolean samtal_meetings_setup (SamtalServer *server, SoupServer *soup, GError **error);

/* Ends every meeting cleanly (participants get "ended"), frees the hub and relay. Idempotent. */
void samtal_meetings_shutdown (SamtalServer *server);

/* The pure admission rule, for tests: may a holder of claims enter booking now? info is filled
 * from booking. */
gboolean samtal_meetings_check_window (const SamtalJoinClaims *claims, gint64 booking_id,
                                       gboolean booked, gint64 start, gint64 end,
                                       gint64 staff_id, gint64 client_id, gint64 now,
                                       SamtalMeetingInfo *info, GError **error);

G_END_DECLS
