/* hub.h — the meeting hub: WebSocket signaling glue between participants, the pure room state
 * machine (room.h) and the media relay (relay/relay.h).
 *
 * Wiring (the relay exists first; its events reach the hub through samtal_hub_relay_events()):
 *   relay = samtal_relay_new (&cfg, &events_that_forward_to_the_hub, …);
 *   hub = samtal_hub_new (key, relay, &callbacks, user_data, NULL);
 *   samtal_hub_attach (hub, soup_server, "/ws");
 *   … relay event → samtal_hub_relay_events ()->local_description (…, hub);
 *   samtal_hub_shutdown (hub); samtal_hub_free (hub); samtal_relay_free (relay);
 * Tests use samtal_hub_new_with_ops() with a fake relay (no GStreamer).
 *
 * The server creates one hub, attaches it to its SoupServer at "/ws", and answers two questions
 * through callbacks: may this token's holder enter now (the booking's status and time window,
 * read from the store), and please record this in the audit trail. Everything runs on the main
 * context; the hub owns its rooms and closes them when the meeting ends (by staff, or when the
 * booking's window closes).
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "relay/relay.h"
#include "token.h"

G_BEGIN_DECLS

typedef struct _SamtalHub SamtalHub;

/* What the store says about a meeting (the booking), filled by check_meeting. */
typedef struct {
  gint64 booking_id;
  gint64 starts_at;       /* unix seconds */
  gint64 ends_at;         /* unix seconds, the booked end */
  gboolean cancelled;     /* cancelled (or otherwise closed) bookings refuse every join */
} SamtalMeetingInfo;

typedef struct {
  /* May claims' holder enter now? Return FALSE with error (its message goes to the participant)
   * when the booking is unknown, cancelled or its window closed. */
  gboolean (*check_meeting) (const SamtalJoinClaims *claims, SamtalMeetingInfo *info,
                             GError **error, gpointer user_data);
  /* Append to the audit trail: action is e.g. "meeting.join", "meeting.admit", "meeting.leave",
   * "meeting.remove", "meeting.end"; object is the meeting ("booking", booking id). actor is the
   * participant_id ("u7" or "g3"). */
  void (*audit) (const char *actor, const char *action, const char *object_type,
                 gint64 object_id, const char *detail, gpointer user_data);
} SamtalHubCallbacks;

/* Zero fields take the default. Fields are only ever appended. */
typedef struct {
  guint join_timeout_ms;      /* first message must be join within this; default 5000 */
  gsize max_message_bytes;    /* default 98304; frames up to twice this get `error` too_large,
                               * bigger ones are closed by libsoup with 1009 */
  guint max_messages_per_sec; /* per connection; default 50, bursts up to twice that; more than
                               * twice that dropped within one second closes with 4008 */
  guint grace_after_end_s;    /* meeting closes this long after the booked end; default 1800 */
  guint keepalive_interval_s; /* WebSocket pings; default 15 */
  guint idle_timeout_s;       /* close (4010) after this long without any frame or pong; default 60 */
  guint max_admitted;         /* per meeting; default 6 */
  guint max_connections;      /* per meeting, waiting included; default 16 */
  guint recheck_interval_s;   /* a running meeting asks check_meeting again this often (with the
                               * latest joiner's claims); refused or cancelled → the meeting
                               * ends; otherwise its ends_at is updated. default 30 */
  guint max_unjoined;         /* sockets still before their join, hub-wide; more are closed
                               * at once with 4029 (busy). default 256 */
} SamtalHubLimits;

/* The relay as the hub uses it: mirrors relay.h so that tests can plug in a fake. relay is the
 * opaque pointer given to samtal_hub_new_with_ops(). Relay events come back through
 * samtal_hub_relay_events(). */
typedef struct {
  gboolean (*create_room) (gpointer relay, const char *room_id, GError **error);
  void (*destroy_room) (gpointer relay, const char *room_id);
  gboolean (*add_participant) (gpointer relay, const char *room_id, const char *participant_id,
                               GError **error);
  void (*remove_participant) (gpointer relay, const char *room_id, const char *participant_id);
  gboolean (*set_remote_description) (gpointer relay, const char *room_id,
                                      const char *participant_id, const char *type,
                                      const char *sdp, GError **error);
  gboolean (*add_remote_candidate) (gpointer relay, const char *room_id,
                                    const char *participant_id, guint mline_index,
                                    const char *candidate, GError **error);
} SamtalHubRelayOps;

/* key: the meeting-token key (SAMTAL_TOKEN_KEY_BYTES, copied). relay: borrowed, outlives the hub
 * (NULL: none yet, see samtal_hub_set_relay). callbacks are copied; check_meeting may be NULL
 * (then the token alone decides, and the booked end is taken as the token's expiry − grace).
 * limits may be NULL for the defaults. Needs the real relay (links relay_dep). */
SamtalHub *samtal_hub_new (const guint8 *key, SamtalRelay *relay, const SamtalHubCallbacks *callbacks,
                           gpointer user_data, const SamtalHubLimits *limits);
void samtal_hub_set_relay (SamtalHub *hub, SamtalRelay *relay);
/* The same with any relay behind ops (ops is borrowed, typically static). */
SamtalHub *samtal_hub_new_with_ops (const guint8 *key, const SamtalHubRelayOps *ops, gpointer relay,
                                    const SamtalHubCallbacks *callbacks, gpointer user_data,
                                    const SamtalHubLimits *limits);
/* The relay events the hub handles; call them with user_data = the hub, on the main context.
 * Events for unknown rooms or participants are ignored. */
const SamtalRelayEvents *samtal_hub_relay_events (void);
/* Adds the WebSocket handler at path (e.g. "/ws") to server (once per hub); samtal_hub_free()
 * removes it again if the server is still alive. */
void samtal_hub_attach (SamtalHub *hub, SoupServer *server, const char *path);
/* Ends every meeting cleanly (participants get "ended", sockets close with 1001). */
void samtal_hub_shutdown (SamtalHub *hub);
void samtal_hub_free (SamtalHub *hub);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalHub, samtal_hub_free)

typedef struct {
  guint meetings;
  guint participants;
  guint waiting;
} SamtalHubStats;
void samtal_hub_get_stats (SamtalHub *hub, SamtalHubStats *stats);

G_END_DECLS
