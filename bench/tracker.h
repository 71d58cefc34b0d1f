/* tracker.h — what the synthetic participants of one relay benchmark share: when each RTP packet
 * left its sender (by SSRC and sequence number, kept in a small ring per stream), and the latency
 * samples receivers take while the steady window is open.
 *
 * Senders choose their SSRCs (bench_tracker_new_ssrc) and register each packet as it leaves the
 * payloader; receivers look the packet up as it leaves their webrtcbin. Both run on GStreamer
 * streaming threads, so everything here is thread-safe. The relay forwards SSRC and sequence
 * numbers unchanged for its first subscriber (see the notes) but was seen renumbering them for
 * a second one; for such streams the RTP timestamp (first packet of each frame) is the key.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BenchTracker BenchTracker;

BenchTracker *bench_tracker_new (void);
void bench_tracker_free (BenchTracker *tracker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchTracker, bench_tracker_free)

/* A fresh SSRC, registered as a sending stream. */
guint32 bench_tracker_new_ssrc (BenchTracker *tracker);

/* The sender's send time (monotonic µs) of packet (ssrc, seq) with RTP timestamp ts. Unknown
 * SSRCs are ignored. */
void bench_tracker_sent (BenchTracker *tracker, guint32 ssrc, guint16 seq, guint32 ts, gint64 now_us);

/* A receiver saw (ssrc, seq, ts) at now_us: adds a latency sample (ms) when the window is open and
 * the send time is known — by (SSRC, sequence number), or, when the relay renumbered the packets
 * for this receiver, by (SSRC, RTP timestamp) for the first packet the receiver sees of each frame
 * (first_of_frame). *seq_matched (may be NULL) tells which. */
void bench_tracker_received (BenchTracker *tracker, guint32 ssrc, guint16 seq, guint32 ts,
                             gboolean first_of_frame, gboolean *seq_matched, gint64 now_us);

/* Opens/closes the steady window: samples are only taken while it is open. */
void bench_tracker_set_window (BenchTracker *tracker, gboolean open);

/* The latency samples (ms) taken so far (transfer full). */
GArray *bench_tracker_take_latencies (BenchTracker *tracker);

G_END_DECLS
