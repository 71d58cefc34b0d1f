/* window.c — warm-up, steady window and counter snapshots for the synthetic peers (see window.h). */
#include "window.h"
#include "bench-util.h"

#define TICK_MS 5

typedef struct {
  GPtrArray *peers;
  BenchTracker *tracker;
  GMainLoop *loop;
  gint64 started_us, window_start_us, window_end_us;
  double warmup_s, max_wait_s, seconds;
  BenchReadiness (*ready) (gpointer);
  BenchWindowEdge edge;
  gpointer user_data;
  BenchPeerCounters *before;
  guint n_before;
  gboolean opened;
  BenchWindowCounts *counts;
} WindowRun;

static void
snapshot (WindowRun *w, BenchPeerCounters **out, guint *n)
{
  *n = w->peers->len;
  *out = g_new0 (BenchPeerCounters, *n);
  for (guint i = 0; i < *n; i++)
    bench_peer_get_counters (w->peers->pdata[i], &(*out)[i]);
}

static void
open_window (WindowRun *w, gint64 now)
{
  w->opened = TRUE;
  if (w->edge)
    w->edge (TRUE, w->user_data);
  snapshot (w, &w->before, &w->n_before);
  bench_tracker_set_window (w->tracker, TRUE);
  w->window_start_us = now;
  w->window_end_us = now + (gint64) (w->seconds * G_USEC_PER_SEC);
  bench_log ("steady window open for %.1f s\n", w->seconds);
}

static void
close_window (WindowRun *w, gint64 now)
{
  bench_tracker_set_window (w->tracker, FALSE);
  BenchPeerCounters *after;
  guint n_after;
  snapshot (w, &after, &n_after);
  if (w->edge)
    w->edge (FALSE, w->user_data);
  for (guint i = 0; i < n_after; i++) {
    BenchPeerCounters zero = { 0 };
    const BenchPeerCounters *b = i < w->n_before ? &w->before[i] : &zero;
    w->counts->received += after[i].received_packets - b->received_packets;
    w->counts->expected += after[i].expected_packets - b->expected_packets;
  }
  w->counts->wall_seconds = (double) (now - w->window_start_us) / G_USEC_PER_SEC;
  w->counts->loss_pct = w->counts->expected > 0 && w->counts->expected > w->counts->received ?
      100.0 * (double) (w->counts->expected - w->counts->received) / (double) w->counts->expected : 0;
  g_free (after);
  g_main_loop_quit (w->loop);
}

static gboolean
tick (gpointer data)
{
  WindowRun *w = data;
  gint64 now = bench_now_us ();
  for (guint i = 0; i < w->peers->len; i++)
    bench_peer_tick (w->peers->pdata[i], now);
  double elapsed = (double) (now - w->started_us) / G_USEC_PER_SEC;
  BenchReadiness readiness = w->opened || w->ready == NULL ? BENCH_READY : w->ready (w->user_data);
  if (readiness == BENCH_ABORT) {
    bench_log ("giving up: a participant failed\n");
    g_main_loop_quit (w->loop);
  } else if (!w->opened && elapsed >= w->warmup_s && readiness == BENCH_READY)
    open_window (w, now);
  else if (!w->opened && elapsed >= w->max_wait_s) {
    bench_log ("peers not ready after %.0f s; giving up\n", w->max_wait_s);
    g_main_loop_quit (w->loop);
  } else if (w->opened && now >= w->window_end_us)
    close_window (w, now);
  return G_SOURCE_CONTINUE;
}

gboolean
bench_window_run (GPtrArray *peers, BenchTracker *tracker, double warmup_s, double max_wait_s,
                  BenchReadiness (*ready) (gpointer), double seconds, BenchWindowEdge edge,
                  gpointer user_data, BenchWindowCounts *counts)
{
  *counts = (BenchWindowCounts) { 0 };
  WindowRun w = { .peers = peers, .tracker = tracker, .warmup_s = warmup_s,
                  .max_wait_s = MAX (max_wait_s, warmup_s), .seconds = seconds, .ready = ready,
                  .edge = edge, .user_data = user_data, .counts = counts };
  w.loop = g_main_loop_new (NULL, FALSE);
  w.started_us = bench_now_us ();
  guint id = g_timeout_add (TICK_MS, tick, &w);
  g_main_loop_run (w.loop);
  g_source_remove (id);
  g_main_loop_unref (w.loop);
  g_free (w.before);
  return w.opened;
}

typedef struct {
  GPtrArray *peers;
  gboolean (*done) (gpointer);
  gpointer user_data;
  gint64 deadline_us;
  GMainLoop *loop;
} KeepSending;

static gboolean
keep_tick (gpointer data)
{
  KeepSending *k = data;
  gint64 now = bench_now_us ();
  for (guint i = 0; i < k->peers->len; i++)
    bench_peer_tick (k->peers->pdata[i], now);
  if (k->done (k->user_data) || now >= k->deadline_us)
    g_main_loop_quit (k->loop);
  return G_SOURCE_CONTINUE;
}

void
bench_window_keep_sending (GPtrArray *peers, gboolean (*done) (gpointer), gpointer user_data,
                           double max_s)
{
  KeepSending k = { peers, done, user_data, bench_now_us () + (gint64) (max_s * G_USEC_PER_SEC),
                    g_main_loop_new (NULL, FALSE) };
  guint id = g_timeout_add (TICK_MS, keep_tick, &k);
  g_main_loop_run (k.loop);
  g_source_remove (id);
  g_main_loop_unref (k.loop);
}
