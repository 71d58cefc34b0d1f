/* peer.h — one synthetic WebRTC participant: a webrtcbin (BUNDLE, DTLS-SRTP, ICE gathered on
 * 127.0.0.1 only) that sends the pre-encoded clip (appsrc → rtpvp8pay / rtpopuspay, sendonly
 * transceivers) and receives whatever the other side offers, counting RTP packets without
 * decoding: per-stream received packets and sequence span (for loss), the first VP8 keyframe
 * start (for join time) and per-packet latency through a BenchTracker.
 *
 * The signaling is the caller's: a peer reports its local SDP and candidates through callbacks on
 * the main context given at creation, and is fed the remote ones. A peer that does not send
 * (send = FALSE) only answers; the direct baseline (sender → receiver without a relay) uses it.
 * All functions are called from that main context; the counters may be read from it at any time.
 */
#pragma once

#include <glib.h>

#include "media.h"
#include "tracker.h"

G_BEGIN_DECLS

typedef struct _BenchPeer BenchPeer;

typedef struct {
  /* type is "offer" or "answer" */
  void (*local_description) (BenchPeer *peer, const char *type, const char *sdp, gpointer user_data);
  /* candidate "candidate:…" or "" at the end of gathering */
  void (*local_candidate) (BenchPeer *peer, guint mline_index, const char *candidate, gpointer user_data);
  /* something failed for good (pipeline error, ICE failed); reason for the log */
  void (*failed) (BenchPeer *peer, const char *reason, gpointer user_data);
} BenchPeerCallbacks;

typedef struct {
  guint64 received_packets;   /* all RTP packets out of webrtcbin */
  guint64 expected_packets;   /* sum over streams of the extended sequence span */
  gint64 first_keyframe_us;   /* monotonic time of the first VP8 keyframe start, 0 if none yet */
  guint64 sent_packets;       /* RTP packets out of the payloaders */
} BenchPeerCounters;

BenchPeer *bench_peer_new (const char *name, const BenchMedia *media, BenchTracker *tracker,
                           gboolean send, const BenchPeerCallbacks *callbacks, gpointer user_data,
                           GMainContext *context, GError **error);
/* Stops the pipeline; no callback runs after this. */
void bench_peer_free (BenchPeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchPeer, bench_peer_free)

const char *bench_peer_name (BenchPeer *peer);

/* Starts sending media and makes the first offer (local_description "offer" follows). */
void bench_peer_offer (BenchPeer *peer);
/* A remote "offer" (answered through local_description "answer") or "answer". */
void bench_peer_set_remote (BenchPeer *peer, const char *type, const char *sdp);
/* A remote candidate; "" ends. Queued until a remote description was set. */
void bench_peer_add_candidate (BenchPeer *peer, guint mline_index, const char *candidate);

/* Pushes the media frames that are due at now_us (monotonic). Cheap when nothing is due. */
void bench_peer_tick (BenchPeer *peer, gint64 now_us);

void bench_peer_get_counters (BenchPeer *peer, BenchPeerCounters *counters);

/* TRUE when an RTP payload (len bytes) is the first packet of a VP8 keyframe (RFC 7741: S=1,
 * partition 0, and the VP8 header's P bit clear). Never reads beyond len. */
gboolean bench_vp8_is_keyframe_start (const guint8 *payload, guint len);

G_END_DECLS
