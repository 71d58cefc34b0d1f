/* participant.h — a synthetic meeting participant: a BenchPeer driven by the samtal signaling
 * protocol (signaling/PROTOCOL.md v1) over the server's WebSocket. It sends `join`, and when
 * admitted its first `offer`; it answers the relay's offers, trickles ICE both ways, and — when it
 * holds a staff token — admits everyone who waits, as they arrive.
 *
 * Everything runs on the default main context.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "media.h"
#include "peer.h"
#include "tracker.h"

G_BEGIN_DECLS

typedef struct _BenchParticipant BenchParticipant;

/* The failure reason (and relay_error) starts with this when the server hosts no signaling. */
#define BENCH_NO_SIGNALING "no signaling"


/* Called once when the server confirmed the join (joined), on the main context. */
typedef void (*BenchParticipantJoined) (BenchParticipant *participant, gpointer user_data);

/* ws_url: absolute ws:// URL of the signaling socket. token is copied and never logged. */
BenchParticipant *bench_participant_new (const char *name, const char *ws_url, const char *token,
                                         gboolean staff, const BenchMedia *media,
                                         BenchTracker *tracker, SoupSession *session,
                                         BenchParticipantJoined joined, gpointer user_data,
                                         GError **error);
/* Sends `leave`, closes the socket and stops the media. */
void bench_participant_free (BenchParticipant *participant);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchParticipant, bench_participant_free)

/* Opens the WebSocket and sends `join` (asynchronously). */
void bench_participant_join (BenchParticipant *participant);

BenchPeer *bench_participant_peer (BenchParticipant *participant);
const char *bench_participant_name (BenchParticipant *participant);
gboolean bench_participant_is_staff (BenchParticipant *participant);
/* Monotonic µs at which `join` was sent (0: not yet). */
gint64 bench_participant_join_sent_us (BenchParticipant *participant);
/* The first failure (a fatal error from the server, a media failure), or NULL. */
const char *bench_participant_failure (BenchParticipant *participant);

G_END_DECLS
