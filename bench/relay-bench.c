/* relay-bench.c — `samtal-bench relay` (work in progress). */
#include "bench.h"
#include "bench-util.h"
#include "floor.h"
#include "media.h"
#include "direct.h"

#include <math.h>

typedef struct {
  int meetings, participants;
  double seconds, warmup;
  char *server_bin;
  gboolean scaling, no_floor, floor_only;
} RelayOptions;

static gboolean
parse_options (int argc, char **argv, RelayOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "meetings", 'm', 0, G_OPTION_ARG_INT, &o->meetings, "meetings (default 8)", "M" },
    { "participants", 'p', 0, G_OPTION_ARG_INT, &o->participants, "participants per meeting (default 2)", "P" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &o->seconds, "measured steady window (default 30)", "S" },
    { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &o->warmup, "warm-up before measuring (default 3)", "W" },
    { "server-bin", 0, 0, G_OPTION_ARG_FILENAME, &o->server_bin, "samtal-server to start", "PATH" },
    { "scaling", 0, 0, G_OPTION_ARG_NONE, &o->scaling, "also run 1, 8 and 32 meetings", NULL },
    { "no-floor", 0, 0, G_OPTION_ARG_NONE, &o->no_floor, "skip the reference forwarder", NULL },
    { "floor-only", 0, 0, G_OPTION_ARG_NONE, &o->floor_only, "run only the reference forwarder", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- relay benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (o->meetings < 1 || o->meetings > 64 || o->participants < 2 || o->participants > 6 ||
      o->seconds <= 0 || o->seconds > 3600 || o->warmup < 0 || o->warmup > 600) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "need 1..64 meetings, 2..6 participants, 0 < seconds <= 3600, 0 <= warmup <= 600");
    return FALSE;
  }
  return TRUE;
}

int
bench_relay_main (int argc, char **argv)
{
  RelayOptions o = { .meetings = 8, .participants = 2, .seconds = 30, .warmup = 3 };
  g_autoptr (GError) error = NULL;
  if (!parse_options (argc, argv, &o, &error)) {
    g_printerr ("samtal-bench relay: %s\n", error->message);
    return 2;
  }
  bench_log ("encoding the clip once\n");
  g_autoptr (BenchMedia) media = bench_media_encode (3, &error);
  if (media == NULL) {
    g_printerr ("samtal-bench relay: %s\n", error->message);
    return 1;
  }
  bench_log ("clip: %u VP8 frames %.0f kbit/s, %u Opus packets %.0f kbit/s, %.0f packets/s per sender\n",
             media->video->len, media->video_kbps, media->audio->len, media->audio_kbps,
             bench_media_packets_per_second (media));
  BenchFloorConfig fc = { o.meetings, o.participants, MIN (o.warmup, 2.0), o.seconds };
  BenchFloorResult fr;
  if (!bench_floor_run (&fc, media, &fr, &error)) {
    g_printerr ("samtal-bench relay: %s\n", error->message);
    return 1;
  }
  bench_log ("floor: %" G_GUINT64_FORMAT " packets forwarded, %.3f s CPU, %.1f us/packet, %.0f packets/s, loss %.2f%%\n",
             fr.forwarded_packets, fr.cpu_seconds, fr.cpu_us_per_packet, fr.packets_per_second, fr.loss_pct);
  BenchDirectResult dr;
  if (!bench_direct_run (media, o.meetings * o.participants, o.warmup, MIN (o.seconds, 5.0), &dr, &error)) {
    g_printerr ("samtal-bench relay: direct: %s\n", error->message);
    return 1;
  }
  bench_log ("direct: latency p50 %.2f p99 %.2f ms (%u samples), connect p50 %.0f ms, loss %.2f%%, %" G_GUINT64_FORMAT " packets\n",
             bench_percentile (dr.latency_ms, 50), bench_percentile (dr.latency_ms, 99), dr.latency_ms->len,
             bench_percentile (dr.connect_ms, 50), dr.loss_pct, dr.received_packets);
  bench_direct_result_clear (&dr);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  bench_json_add_double (b, "floor_cpu_us_per_packet", fr.cpu_us_per_packet);
  json_builder_end_object (b);
  bench_json_print (b);
  return 0;
}
