/* window.h — drive a set of synthetic peers through warm-up and a measured steady window on the
 * main context: a 5 ms tick pushes due media for every sender, the tracker's window opens after
 * the warm-up, and each peer's counters are snapshot at both edges.
 */
#pragma once

#include <glib.h>

#include "peer.h"
#include "tracker.h"

G_BEGIN_DECLS

typedef struct {
  guint64 received;          /* Δ received packets over all peers in the window */
  guint64 expected;          /* Δ sequence span over all peers in the window */
  double loss_pct;
  double wall_seconds;
} BenchWindowCounts;

/* Optional hooks at the window's edges (e.g. sample the server's CPU). */
typedef void (*BenchWindowEdge) (gboolean start, gpointer user_data);

typedef enum { BENCH_WAIT, BENCH_READY, BENCH_ABORT } BenchReadiness;

/* Runs the default main context: ticks peers (a GPtrArray of BenchPeer*, which may grow while this
 * runs, e.g. as participants are admitted) until warmup_s have passed and ready (if set) returned
 * BENCH_READY or max_wait_s passed, then measures seconds. FALSE if the window never opened
 * (max_wait_s passed, or ready said BENCH_ABORT). */
gboolean bench_window_run (GPtrArray *peers, BenchTracker *tracker, double warmup_s, double max_wait_s,
                           BenchReadiness (*ready) (gpointer), double seconds, BenchWindowEdge edge,
                           gpointer user_data, BenchWindowCounts *counts);

/* Keeps ticking peers (sending media) until done returns TRUE or max_s passed. */
void bench_window_keep_sending (GPtrArray *peers, gboolean (*done) (gpointer), gpointer user_data,
                                double max_s);

G_END_DECLS
