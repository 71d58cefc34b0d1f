/* hub.h — the meeting hub: WebSocket signaling glue between participants, the pure room state
 * machine (room.h) and the media relay (relay/relay.h).
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

typedef struct {
  guint join_timeout_ms;      /* first message must be join within this; default 5000 */
  gsize max_message_bytes;    /* default 65536 */
  guint max_messages_per_sec; /* per connection; default 50 */
  guint grace_after_end_s;    /* meeting closes this long after the booked end; default 1800 */
} SamtalHubLimits;

/* key: the meeting-token key (SAMTAL_TOKEN_KEY_BYTES, copied). relay: borrowed, outlives the hub.
 * limits may be NULL for the defaults. */
SamtalHub *samtal_hub_new (const guint8 *key, SamtalRelay *relay, const SamtalHubCallbacks *callbacks,
                           gpointer user_data, const SamtalHubLimits *limits);
/* Adds the WebSocket handler at path (e.g. "/ws") to server. */
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
