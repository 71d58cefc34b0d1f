/* test-bench.c — tests of samtal-bench: its pure parts and the reference forwarder (suite unit),
 * and very short smoke runs of `samtal-bench relay` (suite media) and `samtal-bench booking`
 * (suite integration) against the real server, checking that the JSON report has its fields and
 * that they are sane. Benchmarks report figures; these tests only check that they run.
 *
 * The smoke tests find the programs through SAMTAL_BENCH_BIN and SAMTAL_SERVER_BIN (set by meson)
 * and skip when the server was not built.
 */
#include "bench-util.h"
#include "floor.h"
#include "media.h"
#include "peer.h"
#include "tracker.h"

#include <gio/gio.h>
#include <math.h>

static void
test_percentile (void)
{
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (double));
  g_assert_true (isnan (bench_percentile (a, 50)));
  for (int i = 100; i >= 1; i--) {
    double v = i;
    g_array_append_val (a, v);
  }
  g_assert_cmpfloat (bench_percentile (a, 50), ==, 50);
  g_assert_cmpfloat (bench_percentile (a, 99), ==, 99);
  g_assert_cmpfloat (bench_percentile (a, 100), ==, 100);
  g_assert_cmpfloat (bench_percentile (a, 0), ==, 1);
}

static void
test_vp8_keyframe (void)
{
  /* X=1 S=1 PID=0; I=1 with a 15-bit picture id; then the VP8 header, P=0 (key) or 1 (delta). */
  const guint8 key[] = { 0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00 };
  const guint8 delta[] = { 0x90, 0x80, 0x81, 0x23, 0x11, 0x02, 0x00 };
  const guint8 not_start[] = { 0x80, 0x80, 0x81, 0x23, 0x10 };
  const guint8 short_key[] = { 0x90, 0x80, 0x81 };
  const guint8 plain_key[] = { 0x10, 0x10 };      /* no extension: S=1, header right after */
  g_assert_true (bench_vp8_is_keyframe_start (key, sizeof key));
  g_assert_false (bench_vp8_is_keyframe_start (delta, sizeof delta));
  g_assert_false (bench_vp8_is_keyframe_start (not_start, sizeof not_start));
  g_assert_false (bench_vp8_is_keyframe_start (short_key, sizeof short_key));
  g_assert_false (bench_vp8_is_keyframe_start (key, 0));
  g_assert_true (bench_vp8_is_keyframe_start (plain_key, sizeof plain_key));
}

static void
test_tracker (void)
{
  g_autoptr (BenchTracker) t = bench_tracker_new ();
  guint32 ssrc = bench_tracker_new_ssrc (t);
  gboolean by_seq = FALSE;
  /* a frame of two packets (seq 10, 11; ts 9000) sent at 1000 µs, the next frame at 34000 µs */
  bench_tracker_sent (t, ssrc, 10, 9000, 1000);
  bench_tracker_sent (t, ssrc, 11, 9000, 1100);
  bench_tracker_sent (t, ssrc, 12, 12000, 34000);
  bench_tracker_received (t, ssrc, 10, 9000, TRUE, &by_seq, 3000);       /* window closed */
  g_autoptr (GArray) none = bench_tracker_take_latencies (t);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_true (by_seq);
  bench_tracker_set_window (t, TRUE);
  bench_tracker_received (t, ssrc, 11, 9000, FALSE, &by_seq, 3100);      /* by seq: 2.0 ms */
  g_assert_true (by_seq);
  bench_tracker_received (t, ssrc, 500, 12000, TRUE, &by_seq, 36000);    /* renumbered: by frame */
  g_assert_false (by_seq);
  bench_tracker_received (t, ssrc, 501, 12000, FALSE, &by_seq, 36100);   /* rest of frame: none */
  bench_tracker_received (t, ssrc + 999, 11, 9000, TRUE, &by_seq, 3100); /* unknown stream: none */
  bench_tracker_set_window (t, FALSE);
  g_autoptr (GArray) got = bench_tracker_take_latencies (t);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 0), 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 1), 2.0, 1e-9);
}

static void
test_media_clip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BenchMedia) media = bench_media_encode (1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (media->video->len, ==, BENCH_VIDEO_FPS);
  g_assert_true (g_array_index (media->video_key, gboolean, 0));
  g_assert_cmpuint (media->audio->len, >=, BENCH_AUDIO_PPS - 1);
  g_assert_cmpfloat (media->video_kbps, >, 500);
  g_assert_cmpfloat (media->video_kbps, <, 4000);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  bench_media_vp8_chunks (media, 0, sizes);
  g_assert_cmpuint (sizes->len, >=, 1);
  for (guint i = 0; i < sizes->len; i++)
    g_assert_cmpuint (g_array_index (sizes, guint, i), <=, BENCH_RTP_MTU - 12);
}

static void
test_floor_short (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BenchMedia) media = bench_media_encode (1, &error);
  g_assert_no_error (error);
  BenchFloorResult r;
  /* with the relay's SRTP the synthetic (libsrtp2) peers check it: no SRTP error either way */
  for (BenchFloorSrtp srtp = BENCH_FLOOR_SRTP_SAMTAL; srtp <= BENCH_FLOOR_SRTP_LIBSRTP; srtp++) {
    BenchFloorConfig config = { .meetings = 2, .participants = 2, .warmup_seconds = 0.5,
                                .seconds = 1.5, .srtp = srtp };
    g_assert_true (bench_floor_run (&config, media, &r, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (r.forwarded_packets, >, 0);
    g_assert_cmpuint (r.srtp_errors, ==, 0);
    g_assert_cmpfloat (r.cpu_us_per_packet, >, 0);
    g_assert_cmpfloat (r.loss_pct, <, 5.0);
    g_assert_cmpuint (r.received_packets, >, 0);
  }
  BenchFloorConfig bad = { .meetings = 1, .participants = 1, .seconds = 1 };
  g_assert_false (bench_floor_run (&bad, media, &r, &error));
  g_assert_nonnull (error);
}

/* ---- smoke runs of the real program ---- */

static JsonObject *
run_bench (const char *const *args, JsonParser *parser)
{
  const char *bench = g_getenv ("SAMTAL_BENCH_BIN");
  const char *server = g_getenv ("SAMTAL_SERVER_BIN");
  if (bench == NULL || server == NULL || !g_file_test (server, G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip ("samtal-bench or samtal-server not built");
    return NULL;
  }
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) bench);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--server-bin");
  g_ptr_array_add (argv, (gpointer) server);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_newv ((const char *const *) argv->pdata,
                                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_autofree char *out = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  guint n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  g_test_message ("report: %s", lines[n - 1]);
  g_assert_true (json_parser_load_from_data (parser, lines[n - 1], -1, &error));
  g_assert_no_error (error);
  JsonNode *root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_node_get_object (root);
}

static void
assert_percentiles (JsonObject *o, const char *name, gboolean must_have)
{
  g_assert_true (json_object_has_member (o, name));
  JsonObject *p = json_object_get_object_member (o, name);
  g_assert_true (json_object_has_member (p, "p50"));
  g_assert_true (json_object_has_member (p, "p99"));
  if (must_have) {
    g_assert_cmpfloat (json_object_get_double_member (p, "p50"), >=, 0);
    g_assert_cmpfloat (json_object_get_double_member (p, "p99"), >=, json_object_get_double_member (p, "p50"));
  }
}

static void
test_relay_smoke (void)
{
  const char *args[] = { "relay", "--meetings", "1", "--seconds", "2", "--warmup", "1", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = run_bench (args, parser);
  if (o == NULL)
    return;
  const char *relay_error = json_object_get_string_member_with_default (o, "relay_error", "");
  if (g_str_has_prefix (relay_error, "no signaling")) {
    g_test_skip ("this samtal-server hosts no signaling at /ws yet");
    return;
  }
  const char *fields[] = { "forwarded_packets", "relay_cpu_seconds", "cpu_us_per_packet",
                           "floor_cpu_us_per_packet", "loss_pct", "rss_per_participant_mb" };
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_assert_true (json_object_has_member (o, fields[i]));
  assert_percentiles (o, "added_latency_ms", FALSE);
  assert_percentiles (o, "join_to_first_frame_ms", TRUE);
  g_assert_cmpfloat (json_object_get_double_member (o, "floor_cpu_us_per_packet"), >, 0);
  g_assert_true (json_object_get_boolean_member (o, "relay_ok"));
  g_assert_cmpint (json_object_get_int_member (o, "forwarded_packets"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "cpu_us_per_packet"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "loss_pct"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "loss_pct"), <=, 100);
}

static void
test_booking_smoke (void)
{
  const char *args[] = { "booking", "--clients", "2", "--seconds", "2", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = run_bench (args, parser);
  if (o == NULL)
    return;
  g_assert_true (json_object_has_member (o, "bookings_per_second"));
  assert_percentiles (o, "slots_ms", TRUE);
  g_assert_false (json_node_is_null (json_object_get_member (o, "double_bookings")));
  g_assert_cmpint (json_object_get_int_member (o, "double_bookings"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "lost_bookings"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "bookings"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "bookings_per_second"), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench/unit/percentile", test_percentile);
  g_test_add_func ("/bench/unit/vp8-keyframe", test_vp8_keyframe);
  g_test_add_func ("/bench/unit/tracker", test_tracker);
  g_test_add_func ("/bench/unit/media-clip", test_media_clip);
  g_test_add_func ("/bench/unit/floor-short", test_floor_short);
  g_test_add_func ("/bench/smoke/relay", test_relay_smoke);
  g_test_add_func ("/bench/smoke/booking", test_booking_smoke);
  return g_test_run ();
}
