/* tracker.c — send-time rings and latency samples (see tracker.h). */
#include "tracker.h"

#define RING_SIZE 4096              /* ~18 s of video at 220 packets/s: far above any latency */
#define MAX_SAMPLES (2 * 1000 * 1000)

#define FRAME_RING_SIZE 1024        /* frames (distinct RTP timestamps) per stream: ~30 s of video */

typedef struct {
  guint16 seq[RING_SIZE];
  gint64 at[RING_SIZE];
  guint32 frame_ts[FRAME_RING_SIZE];  /* first send time per RTP timestamp, a fallback key */
  gint64 frame_at[FRAME_RING_SIZE];
  guint frame_next;
  guint32 last_ts;
  gboolean have_ts;
} SendRing;

struct _BenchTracker {
  GMutex lock;
  GHashTable *rings;                /* GUINT_TO_POINTER (ssrc) → SendRing* */
  guint32 next_ssrc;
  gboolean window_open;
  GArray *latencies_ms;             /* double */
};

BenchTracker *
bench_tracker_new (void)
{
  BenchTracker *t = g_new0 (BenchTracker, 1);
  g_mutex_init (&t->lock);
  t->rings = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  t->next_ssrc = 0x5a000000u | (g_random_int () & 0x00ff0000u);
  t->latencies_ms = g_array_new (FALSE, FALSE, sizeof (double));
  return t;
}

void
bench_tracker_free (BenchTracker *tracker)
{
  if (tracker == NULL)
    return;
  g_hash_table_unref (tracker->rings);
  g_array_unref (tracker->latencies_ms);
  g_mutex_clear (&tracker->lock);
  g_free (tracker);
}

guint32
bench_tracker_new_ssrc (BenchTracker *tracker)
{
  g_mutex_lock (&tracker->lock);
  guint32 ssrc = ++tracker->next_ssrc;
  SendRing *ring = g_new0 (SendRing, 1);
  for (guint i = 0; i < RING_SIZE; i++)
    ring->at[i] = -1;
  for (guint i = 0; i < FRAME_RING_SIZE; i++)
    ring->frame_at[i] = -1;
  g_hash_table_insert (tracker->rings, GUINT_TO_POINTER (ssrc), ring);
  g_mutex_unlock (&tracker->lock);
  return ssrc;
}

void
bench_tracker_sent (BenchTracker *tracker, guint32 ssrc, guint16 seq, guint32 ts, gint64 now_us)
{
  g_mutex_lock (&tracker->lock);
  SendRing *ring = g_hash_table_lookup (tracker->rings, GUINT_TO_POINTER (ssrc));
  if (ring != NULL) {
    ring->seq[seq % RING_SIZE] = seq;
    ring->at[seq % RING_SIZE] = now_us;
    if (!ring->have_ts || ts != ring->last_ts) {     /* a new frame: remember its first packet */
      guint i = ring->frame_next++ % FRAME_RING_SIZE;
      ring->frame_ts[i] = ts;
      ring->frame_at[i] = now_us;
      ring->last_ts = ts;
      ring->have_ts = TRUE;
    }
  }
  g_mutex_unlock (&tracker->lock);
}

/* The first send time of the frame with RTP timestamp ts, or -1 (searches newest first). */
static gint64
frame_sent_at (SendRing *ring, guint32 ts)
{
  guint n = MIN (ring->frame_next, FRAME_RING_SIZE);
  for (guint k = 1; k <= n; k++) {
    guint i = (ring->frame_next - k) % FRAME_RING_SIZE;
    if (ring->frame_ts[i] == ts)
      return ring->frame_at[i];
  }
  return -1;
}

void
bench_tracker_received (BenchTracker *tracker, guint32 ssrc, guint16 seq, guint32 ts,
                        gboolean first_of_frame, gboolean *seq_matched, gint64 now_us)
{
  g_mutex_lock (&tracker->lock);
  SendRing *ring = g_hash_table_lookup (tracker->rings, GUINT_TO_POINTER (ssrc));
  gint64 sent = -1;
  gboolean by_seq = ring != NULL && ring->seq[seq % RING_SIZE] == seq && ring->at[seq % RING_SIZE] >= 0;
  if (by_seq)
    sent = ring->at[seq % RING_SIZE];
  else if (ring != NULL && first_of_frame)
    sent = frame_sent_at (ring, ts);
  if (seq_matched)
    *seq_matched = by_seq;
  if (tracker->window_open && sent >= 0 && tracker->latencies_ms->len < MAX_SAMPLES) {
    double ms = (double) (now_us - sent) / 1000.0;
    g_array_append_val (tracker->latencies_ms, ms);
  }
  g_mutex_unlock (&tracker->lock);
}

void
bench_tracker_set_window (BenchTracker *tracker, gboolean open)
{
  g_mutex_lock (&tracker->lock);
  tracker->window_open = open;
  g_mutex_unlock (&tracker->lock);
}

GArray *
bench_tracker_take_latencies (BenchTracker *tracker)
{
  g_mutex_lock (&tracker->lock);
  GArray *out = tracker->latencies_ms;
  tracker->latencies_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_mutex_unlock (&tracker->lock);
  return out;
}
