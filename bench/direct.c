/* direct.c — sender → receiver without a relay, for the latency baseline (see direct.h). */
#include "direct.h"
#include "bench-util.h"
#include "peer.h"
#include "window.h"

typedef struct {
  BenchPeer *tx, *rx;
  gint64 offered_us;
} DirectPair;

typedef struct {
  GPtrArray *pairs;          /* DirectPair* */
  GPtrArray *receivers;      /* BenchPeer* (borrowed) */
} DirectRun;

static DirectPair *
pair_of (DirectRun *run, BenchPeer *peer, gboolean *is_tx)
{
  for (guint i = 0; i < run->pairs->len; i++) {
    DirectPair *p = run->pairs->pdata[i];
    if (p->tx == peer || p->rx == peer) {
      *is_tx = p->tx == peer;
      return p;
    }
  }
  return NULL;
}

static void
on_sdp (BenchPeer *peer, const char *type, const char *sdp, gpointer data)
{
  gboolean is_tx;
  DirectPair *p = pair_of (data, peer, &is_tx);
  if (p != NULL)
    bench_peer_set_remote (is_tx ? p->rx : p->tx, type, sdp);
}

static void
on_candidate (BenchPeer *peer, guint mline, const char *candidate, gpointer data)
{
  gboolean is_tx;
  DirectPair *p = pair_of (data, peer, &is_tx);
  if (p != NULL)
    bench_peer_add_candidate (is_tx ? p->rx : p->tx, mline, candidate);
}

static void
on_failed (BenchPeer *peer, const char *reason, gpointer data)
{
  bench_log ("direct %s: %s\n", bench_peer_name (peer), reason);
}

static BenchReadiness
all_receiving (gpointer data)
{
  DirectRun *run = data;
  for (guint i = 0; i < run->receivers->len; i++) {
    BenchPeerCounters c;
    bench_peer_get_counters (run->receivers->pdata[i], &c);
    if (c.first_keyframe_us == 0)
      return BENCH_WAIT;
  }
  return BENCH_READY;
}

static void
pair_free (gpointer data)
{
  DirectPair *p = data;
  bench_peer_free (p->tx);
  bench_peer_free (p->rx);
  g_free (p);
}

gboolean
bench_direct_run (const BenchMedia *media, guint pairs, double warmup_s, double seconds,
                  BenchDirectResult *result, GError **error)
{
  *result = (BenchDirectResult) { 0 };
  g_autoptr (BenchTracker) tracker = bench_tracker_new ();
  DirectRun run = { g_ptr_array_new_with_free_func (pair_free), g_ptr_array_new () };
  g_autoptr (GPtrArray) senders = g_ptr_array_new ();
  BenchPeerCallbacks cb = { on_sdp, on_candidate, on_failed };
  gboolean ok = TRUE;
  for (guint i = 0; i < pairs && ok; i++) {
    g_autofree char *txn = g_strdup_printf ("direct-tx%u", i), *rxn = g_strdup_printf ("direct-rx%u", i);
    DirectPair *p = g_new0 (DirectPair, 1);
    g_ptr_array_add (run.pairs, p);
    p->tx = bench_peer_new (txn, media, tracker, TRUE, &cb, &run, NULL, error);
    p->rx = p->tx ? bench_peer_new (rxn, media, tracker, FALSE, &cb, &run, NULL, error) : NULL;
    ok = p->rx != NULL;
    if (ok) {
      g_ptr_array_add (senders, p->tx);
      g_ptr_array_add (senders, p->rx);
      g_ptr_array_add (run.receivers, p->rx);
      p->offered_us = bench_now_us ();
      bench_peer_offer (p->tx);
    }
  }
  BenchWindowCounts counts;
  if (ok && !bench_window_run (senders, tracker, warmup_s, warmup_s + 30, all_receiving, seconds,
                               NULL, &run, &counts)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "direct peers never received video");
    ok = FALSE;
  }
  if (ok) {
    result->latency_ms = bench_tracker_take_latencies (tracker);
    result->connect_ms = g_array_new (FALSE, FALSE, sizeof (double));
    for (guint i = 0; i < run.pairs->len; i++) {
      DirectPair *p = run.pairs->pdata[i];
      BenchPeerCounters c;
      bench_peer_get_counters (p->rx, &c);
      double ms = (double) (c.first_keyframe_us - p->offered_us) / 1000.0;
      g_array_append_val (result->connect_ms, ms);
    }
    result->loss_pct = counts.loss_pct;
    result->received_packets = counts.received;
  }
  g_ptr_array_unref (run.pairs);
  g_ptr_array_unref (run.receivers);
  return ok;
}

void
bench_direct_result_clear (BenchDirectResult *result)
{
  g_clear_pointer (&result->latency_ms, g_array_unref);
  g_clear_pointer (&result->connect_ms, g_array_unref);
}
