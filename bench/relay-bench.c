/* relay-bench.c — `samtal-bench relay`: the relay's CPU per forwarded packet beside a minimal
 * reference forwarder, in one invocation, plus added latency, loss, join time and memory.
 *
 * Order of a run: encode the clip once; the floor forwarder (floor.c) over the same load; the
 * direct sender → receiver baseline (direct.c) for latency; then a fresh samtal-server with
 * M×P synthetic participants (participant.c) measured over a steady window (window.c); with
 * --scaling the floor and the relay again at 1, 8 and 32 meetings. See bench/README.md.
 */
#include "bench.h"
#include "api.h"
#include "bench-util.h"
#include "direct.h"
#include "floor.h"
#include "media.h"
#include "meetings.h"
#include "participant.h"
#include "server.h"
#include "window.h"

#include <math.h>
#include <string.h>

#define JOIN_WAIT_S 60.0
#define SERVER_START_S 30

typedef struct {
  int meetings, participants;
  double seconds, warmup;
  char *server_bin;
  char *forwarding;
  gboolean scaling, no_floor, floor_only, verbose;
} RelayOptions;

typedef struct {
  gboolean ok;
  char *error;
  guint64 forwarded_packets;
  const char *forwarded_source;       /* "metrics" or "receivers" */
  guint64 received_packets;
  double relay_cpu_seconds, relay_interval_seconds, cpu_us_per_packet, packets_per_second, loss_pct;
  double rss_base_mb, rss_steady_mb, rss_per_participant_mb;
  double ctx_switches, ctx_switches_per_packet;
  double own_readers;                 /* /metrics at the window's end: sockets the relay reads */
  double handed_back;                 /* … and sockets it gave back to libnice (-1: no metric) */
  int relay_threads;
  GArray *latency_ms, *join_ms;
  guint failed_participants;
} RelayResult;

static void
relay_result_clear (RelayResult *r)
{
  g_free (r->error);
  g_clear_pointer (&r->latency_ms, g_array_unref);
  g_clear_pointer (&r->join_ms, g_array_unref);
}

/* ---- options ---- */

static gboolean
parse_options (int argc, char **argv, RelayOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "meetings", 'm', 0, G_OPTION_ARG_INT, &o->meetings, "meetings (default 8)", "M" },
    { "participants", 'p', 0, G_OPTION_ARG_INT, &o->participants, "participants per meeting (default 2)", "P" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &o->seconds, "measured steady window (default 30)", "S" },
    { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &o->warmup, "warm-up after everyone receives (default 3)", "W" },
    { "server-bin", 0, 0, G_OPTION_ARG_FILENAME, &o->server_bin, "samtal-server to start", "PATH" },
    { "forwarding", 0, 0, G_OPTION_ARG_STRING, &o->forwarding, "the relay's forwarding: direct (default), direct-gst or pipeline", "MODE" },
    { "scaling", 0, 0, G_OPTION_ARG_NONE, &o->scaling, "also run 1, 8 and 32 meetings", NULL },
    { "no-floor", 0, 0, G_OPTION_ARG_NONE, &o->no_floor, "skip the reference forwarder", NULL },
    { "floor-only", 0, 0, G_OPTION_ARG_NONE, &o->floor_only, "run only the reference forwarder", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "echo the server's log", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- relay benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (o->meetings < 1 || o->meetings > 64 || o->participants < 2 || o->participants > 6 ||
      o->seconds <= 0 || o->seconds > 3600 || o->warmup < 0 || o->warmup > 600 ||
      (o->forwarding != NULL && !g_str_equal (o->forwarding, "direct") &&
       !g_str_equal (o->forwarding, "direct-gst") && !g_str_equal (o->forwarding, "pipeline"))) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "need 1..64 meetings, 2..6 participants, 0 < seconds <= 3600, 0 <= warmup <= 600, "
                         "forwarding direct, direct-gst or pipeline");
    return FALSE;
  }
  return TRUE;
}

/* ---- the relay run ---- */

typedef struct {
  const char *base;
  GPid pid;
  GThread *thread;
  gboolean have_metric;
  guint64 forwarded;
  double cpu;                         /* at the counter update */
  double cpu_at_edge;                 /* at the window's own edge (fallback without the counter) */
  double ctx, ctx_at_edge;            /* voluntary context switches, sampled with cpu and cpu_at_edge */
  gint64 at_us;
  gint done;                          /* atomic */
} EdgeSample;

typedef struct {
  BenchServer *server;
  BenchApi *api;
  GPtrArray *participants;            /* BenchParticipant* */
  GPtrArray *peers;                   /* BenchPeer* (borrowed) */
  GPtrArray *seats;                   /* BenchSeat* */
  guint participants_per_meeting;
  guint max_failures;
  EdgeSample edge0, edge1;
  RelayResult *result;
} RelayRun;

/* Sums every sample of a metric whose name mentions forwarded packets; FALSE if none. */
static gboolean
scrape_forwarded (BenchApi *api, guint64 *total)
{
  g_autofree char *text = bench_api_get_text (api, "/metrics", NULL);
  if (text == NULL)
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean found = FALSE;
  double sum = 0;
  for (guint i = 0; lines[i]; i++) {
    const char *l = lines[i];
    if (*l == '#' || strstr (l, "forwarded") == NULL || strstr (l, "packets") == NULL)
      continue;
    const char *sp = strrchr (l, ' ');
    if (sp == NULL || (strchr (l, '{') && strchr (l, '{') > strstr (l, "forwarded") + 64))
      continue;
    sum += g_ascii_strtod (sp + 1, NULL);
    found = TRUE;
  }
  *total = (guint64) sum;
  return found;
}

/* The value of one metric line "name value" (-1 if there is none). */
static double
scrape_metric (BenchApi *api, const char *name)
{
  g_autofree char *text = bench_api_get_text (api, "/metrics", NULL);
  g_auto (GStrv) lines = text ? g_strsplit (text, "\n", -1) : NULL;
  gsize n = strlen (name);
  for (guint i = 0; lines != NULL && lines[i]; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][n] == ' ')
      return g_ascii_strtod (lines[i] + n + 1, NULL);
  return -1;
}

/* One edge of the relay's measurement. /metrics refreshes the forwarded counter every couple of
 * seconds, so a sampler thread polls it until the value changes and reads the server's CPU time at
 * that moment: both edges sit on counter updates, and CPU and packets cover the same interval. */

#define EDGE_POLL_US (20 * 1000)
#define EDGE_MAX_WAIT_US (5 * G_USEC_PER_SEC)

static gpointer
edge_thread (gpointer data)
{
  EdgeSample *e = data;
  g_autoptr (BenchApi) api = bench_api_new (e->base);
  guint64 first = 0, now = 0;
  e->have_metric = scrape_forwarded (api, &first);
  gint64 deadline = bench_now_us () + EDGE_MAX_WAIT_US;
  now = first;
  while (e->have_metric && now == first && bench_now_us () < deadline) {
    g_usleep (EDGE_POLL_US);
    scrape_forwarded (api, &now);
  }
  e->cpu = bench_proc_cpu_seconds (e->pid);
  e->ctx = bench_proc_voluntary_switches (e->pid);
  e->at_us = bench_now_us ();
  e->forwarded = now;
  g_atomic_int_set (&e->done, 1);
  return NULL;
}

static void
edge_start (EdgeSample *e, RelayRun *run)
{
  e->base = bench_server_base_url (run->server);
  e->pid = bench_server_pid (run->server);
  e->cpu_at_edge = bench_proc_cpu_seconds (e->pid);
  e->ctx_at_edge = bench_proc_voluntary_switches (e->pid);
  e->thread = g_thread_new ("edge-sampler", edge_thread, e);
}

static gboolean
edge_done (gpointer data)
{
  return g_atomic_int_get (&((EdgeSample *) data)->done);
}

static void
window_edge (gboolean start, gpointer data)
{
  RelayRun *run = data;
  edge_start (start ? &run->edge0 : &run->edge1, run);
  if (!start) {
    run->result->rss_steady_mb = bench_proc_rss_mb (bench_server_pid (run->server));
    run->result->relay_threads = bench_proc_threads (bench_server_pid (run->server));
  }
}

/* After the window: keep sending until the closing edge was sampled, then fill the result. */
static void
finish_edges (RelayRun *run)
{
  EdgeSample *a = &run->edge0, *b = &run->edge1;
  if (b->thread)
    bench_window_keep_sending (run->peers, edge_done, b, 10.0);
  if (a->thread)
    g_thread_join (a->thread);
  if (b->thread)
    g_thread_join (b->thread);
  a->thread = b->thread = NULL;
  RelayResult *r = run->result;
  r->own_readers = scrape_metric (run->api, "samtal_relay_own_readers");
  r->handed_back = scrape_metric (run->api, "samtal_relay_sockets_handed_back");
  r->relay_cpu_seconds = b->cpu - a->cpu;
  r->ctx_switches = b->ctx - a->ctx;
  r->relay_interval_seconds = (double) (b->at_us - a->at_us) / G_USEC_PER_SEC;
  if (a->have_metric && b->have_metric && b->forwarded > a->forwarded) {
    r->forwarded_packets = b->forwarded - a->forwarded;
    r->forwarded_source = "metrics";
  } else {
    r->relay_cpu_seconds = b->cpu_at_edge - a->cpu_at_edge;   /* pairs with the receivers' count */
    r->ctx_switches = b->ctx_at_edge - a->ctx_at_edge;
  }
}

/* Ready when every participant that has not failed receives video. More failures than
 * run->max_failures abort the run (the main run allows none: its figures would not be comparable;
 * scaling steps allow a few and report them in failed_participants). */
static BenchReadiness
everyone_receives (gpointer data)
{
  RelayRun *run = data;
  BenchReadiness readiness = BENCH_READY;
  guint failures = 0;
  for (guint i = 0; i < run->participants->len; i++) {
    BenchParticipant *pt = run->participants->pdata[i];
    BenchPeerCounters c;
    bench_peer_get_counters (bench_participant_peer (pt), &c);
    if (bench_participant_failure (pt) != NULL)
      failures++;
    else if (c.first_keyframe_us == 0)
      readiness = BENCH_WAIT;
  }
  return failures > run->max_failures ? BENCH_ABORT : readiness;
}

/* When a meeting's staff member is in, the others of that meeting knock. */
static void
on_staff_joined (BenchParticipant *staff, gpointer data)
{
  RelayRun *run = data;
  if (!bench_participant_is_staff (staff))
    return;
  for (guint i = 0; i < run->participants->len; i++) {
    if (run->participants->pdata[i] != staff)
      continue;
    for (guint k = i + 1; k < run->participants->len && k < i + run->participants_per_meeting; k++)
      bench_participant_join (run->participants->pdata[k]);
  }
}

static gboolean
create_participants (RelayRun *run, const BenchMedia *media, BenchTracker *tracker, GError **error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("max-conns", 1024,
                                                                   "max-conns-per-host", 1024, NULL);
  for (guint i = 0; i < run->seats->len; i++) {
    BenchSeat *seat = run->seats->pdata[i];
    BenchParticipant *pt = bench_participant_new (seat->name, seat->ws_url, seat->token, seat->staff,
                                                  media, tracker, session, on_staff_joined, run, error);
    if (pt == NULL)
      return FALSE;
    g_ptr_array_add (run->participants, pt);
    g_ptr_array_add (run->peers, bench_participant_peer (pt));
  }
  for (guint i = 0; i < run->participants->len; i++)
    if (bench_participant_is_staff (run->participants->pdata[i]))
      bench_participant_join (run->participants->pdata[i]);
  return TRUE;
}

static void
collect (RelayRun *run, BenchTracker *tracker, const BenchWindowCounts *counts)
{
  RelayResult *r = run->result;
  r->latency_ms = bench_tracker_take_latencies (tracker);
  r->join_ms = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < run->participants->len; i++) {
    BenchParticipant *pt = run->participants->pdata[i];
    BenchPeerCounters c;
    bench_peer_get_counters (bench_participant_peer (pt), &c);
    if (bench_participant_failure (pt))
      r->failed_participants++;
    if (!bench_participant_is_staff (pt) && c.first_keyframe_us && bench_participant_join_sent_us (pt)) {
      double ms = (double) (c.first_keyframe_us - bench_participant_join_sent_us (pt)) / 1000.0;
      g_array_append_val (r->join_ms, ms);
    }
  }
  r->received_packets = counts->received;
  r->loss_pct = counts->loss_pct;
  if (r->forwarded_source == NULL) {
    r->forwarded_packets = counts->received;
    r->forwarded_source = "receivers";
  }
  r->cpu_us_per_packet = r->forwarded_packets ? r->relay_cpu_seconds * 1e6 / (double) r->forwarded_packets : NAN;
  r->ctx_switches_per_packet = r->forwarded_packets ? r->ctx_switches / (double) r->forwarded_packets : NAN;
  double interval = r->forwarded_source && g_str_equal (r->forwarded_source, "metrics") ?
      r->relay_interval_seconds : counts->wall_seconds;
  if (!g_str_equal (r->forwarded_source, "metrics"))   /* CPU over the same window as the count */
    r->relay_interval_seconds = counts->wall_seconds;
  r->packets_per_second = interval > 0 ? (double) r->forwarded_packets / interval : 0;
  guint n = run->participants->len;
  r->rss_per_participant_mb = n ? (r->rss_steady_mb - r->rss_base_mb) / n : NAN;
}

static char *
first_failure (RelayRun *run)
{
  for (guint i = 0; i < run->participants->len; i++) {
    BenchParticipant *pt = run->participants->pdata[i];
    if (bench_participant_failure (pt))
      return g_strdup_printf ("%s (%s)", bench_participant_failure (pt), bench_participant_name (pt));
  }
  return g_strdup ("not every participant received video in time");
}

static gboolean
start_server (RelayRun *run, const char *binary, const RelayOptions *o, guint meetings, GError **error)
{
  run->server = bench_server_new (binary, o->verbose, error);
  if (run->server == NULL)
    return FALSE;
  bench_server_set_forwarding (run->server, o->forwarding);
  bench_log ("relay: %u meetings of %d: adding users\n", meetings, o->participants);
  if (!bench_meetings_add_users (run->server, meetings, error) ||
      !bench_server_start (run->server, SERVER_START_S, error))
    return FALSE;
  run->api = bench_api_new (bench_server_base_url (run->server));
  run->seats = bench_meetings_book (run->server, meetings, (guint) o->participants, error);
  if (run->seats == NULL)
    return FALSE;
  run->result->rss_base_mb = bench_proc_rss_mb (bench_server_pid (run->server));
  return TRUE;
}

static void
run_relay (const char *binary, const BenchMedia *media, const RelayOptions *o, guint meetings,
           guint max_failures, RelayResult *r)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BenchTracker) tracker = bench_tracker_new ();
  RelayRun run = { .participants = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_participant_free),
                   .peers = g_ptr_array_new (), .participants_per_meeting = (guint) o->participants,
                   .max_failures = max_failures, .result = r };
  BenchWindowCounts counts;
  if (start_server (&run, binary, o, meetings, &error) &&
      create_participants (&run, media, tracker, &error)) {
    bench_log ("relay: %u participants joining\n", run.participants->len);
    r->ok = bench_window_run (run.peers, tracker, o->warmup, o->warmup + JOIN_WAIT_S, everyone_receives,
                              o->seconds, window_edge, &run, &counts);
    if (run.edge0.thread || run.edge1.thread)
      finish_edges (&run);
    if (r->ok)
      collect (&run, tracker, &counts);
    else
      r->error = first_failure (&run);
  }
  if (error)
    r->error = g_strdup (error->message);
  if (r->error) {
    bench_log ("relay: %s\n", r->error);
    if (run.server && !o->verbose)
      bench_server_print_log_tail (run.server);
  }
  /* The server goes first, so the peers tear down quietly. After a failure a webrtcbin may be in
   * a state where going to NULL blocks (seen at 32 meetings on 2 vCPUs); those are left to the
   * process exit rather than risk a hang before the report is printed. */
  bench_api_free (run.api);
  bench_server_free (run.server);
  g_ptr_array_unref (run.peers);
  if (r->ok)
    g_ptr_array_unref (run.participants);
  else
    bench_log ("relay: leaving %u participants' pipelines to the process exit\n", run.participants->len);
  if (run.seats)
    g_ptr_array_unref (run.seats);
}

/* ---- reporting ---- */

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_relay_fields (JsonBuilder *b, const RelayResult *r)
{
  json_builder_set_member_name (b, "relay_ok");
  json_builder_add_boolean_value (b, r->ok);
  if (r->error) {
    json_builder_set_member_name (b, "relay_error");
    json_builder_add_string_value (b, r->error);
  }
  add_int (b, "forwarded_packets", (gint64) r->forwarded_packets);
  json_builder_set_member_name (b, "forwarded_packets_source");
  json_builder_add_string_value (b, r->forwarded_source ? r->forwarded_source : "none");
  add_int (b, "received_packets", (gint64) r->received_packets);
  /* Share of received packets whose send time was found by (SSRC, sequence number): below 100 %
   * the relay rewrote SSRC or sequence numbers for some receivers, and the latency figures cover
   * only the rest. */
  bench_json_add_double (b, "latency_coverage_pct", r->ok && r->received_packets && r->latency_ms ?
                         100.0 * r->latency_ms->len / (double) r->received_packets : NAN);
  bench_json_add_double (b, "relay_cpu_seconds", r->ok ? r->relay_cpu_seconds : NAN);
  bench_json_add_double (b, "relay_interval_seconds", r->ok ? r->relay_interval_seconds : NAN);
  bench_json_add_double (b, "cpu_us_per_packet", r->ok ? r->cpu_us_per_packet : NAN);
  bench_json_add_double (b, "packets_per_second", r->packets_per_second);
  bench_json_add_double (b, "voluntary_switches_per_packet", r->ok ? r->ctx_switches_per_packet : NAN);
  /* Direct mode: how many participants' sockets the relay read itself at the window's end, and
   * how many it handed back to libnice (relay/README.md); -1 if the server has no such metric. */
  bench_json_add_double (b, "relay_own_readers", r->ok ? r->own_readers : NAN);
  bench_json_add_double (b, "relay_sockets_handed_back", r->ok ? r->handed_back : NAN);
  add_int (b, "relay_threads", r->ok ? r->relay_threads : -1);
  bench_json_add_double (b, "loss_pct", r->ok ? r->loss_pct : NAN);
  bench_json_add_double (b, "rss_per_participant_mb", r->ok ? r->rss_per_participant_mb : NAN);
  bench_json_add_double (b, "rss_base_mb", r->rss_base_mb);
  bench_json_add_double (b, "rss_steady_mb", r->ok ? r->rss_steady_mb : NAN);
  bench_json_add_percentiles (b, "join_to_first_frame_ms", r->join_ms);
  add_int (b, "failed_participants", r->failed_participants);
}

static void
add_added_latency (JsonBuilder *b, GArray *relay_ms, GArray *direct_ms)
{
  double rp50 = bench_percentile (relay_ms, 50), rp99 = bench_percentile (relay_ms, 99);
  double dp50 = bench_percentile (direct_ms, 50), dp99 = bench_percentile (direct_ms, 99);
  json_builder_set_member_name (b, "added_latency_ms");
  json_builder_begin_object (b);
  bench_json_add_double (b, "p50", isnan (dp50) ? rp50 : rp50 - dp50);
  bench_json_add_double (b, "p99", isnan (dp99) ? rp99 : rp99 - dp99);
  json_builder_end_object (b);
  bench_json_add_percentiles (b, "relay_path_latency_ms", relay_ms);
  bench_json_add_percentiles (b, "direct_path_latency_ms", direct_ms);
}

static void
add_floor_fields (JsonBuilder *b, const BenchFloorResult *f, gboolean ran)
{
  bench_json_add_double (b, "floor_cpu_us_per_packet", ran ? f->cpu_us_per_packet : NAN);
  bench_json_add_double (b, "floor_cpu_seconds", ran ? f->cpu_seconds : NAN);
  add_int (b, "floor_forwarded_packets", ran ? (gint64) f->forwarded_packets : 0);
  bench_json_add_double (b, "floor_packets_per_second", ran ? f->packets_per_second : NAN);
  bench_json_add_double (b, "floor_loss_pct", ran ? f->loss_pct : NAN);
}

static gboolean
run_floor (const BenchMedia *media, const RelayOptions *o, guint meetings, BenchFloorSrtp srtp,
           BenchFloorResult *f)
{
  g_autoptr (GError) error = NULL;
  BenchFloorConfig fc = { meetings, (guint) o->participants, MIN (o->warmup, 2.0), o->seconds,
                          srtp };
  const char *name = srtp == BENCH_FLOOR_SRTP_SAMTAL ? "relay-srtp" : "libsrtp2";
  if (!bench_floor_run (&fc, media, f, &error)) {
    bench_log ("floor (%s): %s\n", name, error->message);
    return FALSE;
  }
  bench_log ("floor (%u meetings, %s): %" G_GUINT64_FORMAT " packets, %.3f s CPU, %.1f us/packet, %.0f packets/s, loss %.2f%%, %" G_GUINT64_FORMAT " SRTP errors\n",
             meetings, name, f->forwarded_packets, f->cpu_seconds, f->cpu_us_per_packet,
             f->packets_per_second, f->loss_pct, f->srtp_errors);
  return TRUE;
}

static void
add_scaling (JsonBuilder *b, const char *binary, const BenchMedia *media, const RelayOptions *o)
{
  static const guint steps[] = { 1, 8, 32 };
  json_builder_set_member_name (b, "scaling");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    BenchFloorResult f;
    gboolean floor_ok = run_floor (media, o, steps[i], BENCH_FLOOR_SRTP_SAMTAL, &f);
    RelayResult r = { 0 };
    run_relay (binary, media, o, steps[i], steps[i] * (guint) o->participants / 10, &r);
    json_builder_begin_object (b);
    add_int (b, "meetings", steps[i]);
    json_builder_set_member_name (b, "relay_ok");
    json_builder_add_boolean_value (b, r.ok);
    add_int (b, "forwarded_packets", (gint64) r.forwarded_packets);
    bench_json_add_double (b, "packets_per_second", r.packets_per_second);
    bench_json_add_double (b, "cpu_us_per_packet", r.ok ? r.cpu_us_per_packet : NAN);
    bench_json_add_double (b, "floor_cpu_us_per_packet", floor_ok ? f.cpu_us_per_packet : NAN);
    bench_json_add_double (b, "loss_pct", r.ok ? r.loss_pct : NAN);
    add_int (b, "failed_participants", r.failed_participants);
    if (r.error) {
      json_builder_set_member_name (b, "relay_error");
      json_builder_add_string_value (b, r.error);
    }
    json_builder_end_object (b);
    relay_result_clear (&r);
  }
  json_builder_end_array (b);
}

static void
add_run_info (JsonBuilder *b, const RelayOptions *o, const BenchMedia *media)
{
  json_builder_set_member_name (b, "bench");
  json_builder_add_string_value (b, "relay");
  add_int (b, "meetings", o->meetings);
  add_int (b, "participants", o->participants);
  json_builder_set_member_name (b, "forwarding");
  json_builder_add_string_value (b, o->forwarding ? o->forwarding : "direct");
  bench_json_add_double (b, "seconds", o->seconds);
  bench_json_add_double (b, "warmup_seconds", o->warmup);
  bench_json_add_double (b, "video_kbps", media->video_kbps);
  bench_json_add_double (b, "audio_kbps", media->audio_kbps);
  bench_json_add_double (b, "sender_packets_per_second", bench_media_packets_per_second (media));
  json_builder_set_member_name (b, "srtp_profile");
  json_builder_add_string_value (b, BENCH_FLOOR_SRTP_PROFILE);
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
  g_autofree char *binary = o.floor_only ? NULL : bench_server_find_binary (o.server_bin, &error);
  if (!o.floor_only && binary == NULL) {
    g_printerr ("samtal-bench relay: %s\n", error->message);
    return 1;
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
  BenchFloorResult f = { 0 }, fl = { 0 };
  gboolean floor_ok = !o.no_floor &&
                      run_floor (media, &o, (guint) o.meetings, BENCH_FLOOR_SRTP_SAMTAL, &f);
  gboolean floor_libsrtp_ok = !o.no_floor &&
                              run_floor (media, &o, (guint) o.meetings, BENCH_FLOOR_SRTP_LIBSRTP, &fl);
  BenchDirectResult d = { 0 };
  RelayResult r = { 0 };
  if (!o.floor_only) {
    bench_log ("direct baseline: %d sender→receiver pairs\n", o.meetings * o.participants);
    if (!bench_direct_run (media, (guint) (o.meetings * o.participants), MIN (o.warmup, 2.0),
                           MIN (o.seconds, 10.0), &d, &error)) {
      bench_log ("direct: %s\n", error->message);
      g_clear_error (&error);
    }
    run_relay (binary, media, &o, (guint) o.meetings, 0, &r);
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_run_info (b, &o, media);
  add_floor_fields (b, &f, floor_ok);
  bench_json_add_double (b, "floor_libsrtp_cpu_us_per_packet",
                         floor_libsrtp_ok ? fl.cpu_us_per_packet : NAN);
  if (!o.floor_only) {
    add_relay_fields (b, &r);
    bench_json_add_double (b, "cpu_ratio_to_floor", floor_ok && r.ok ? r.cpu_us_per_packet / f.cpu_us_per_packet : NAN);
    bench_json_add_double (b, "cpu_ratio_to_floor_libsrtp",
                           floor_libsrtp_ok && r.ok ? r.cpu_us_per_packet / fl.cpu_us_per_packet
                                                    : NAN);
    add_added_latency (b, r.latency_ms, d.latency_ms);
    bench_json_add_percentiles (b, "direct_connect_to_first_frame_ms", d.connect_ms);
    if (o.scaling)
      add_scaling (b, binary, media, &o);
  }
  json_builder_end_object (b);
  bench_json_print (b);
  gboolean ok = o.floor_only ? floor_ok : r.ok;
  relay_result_clear (&r);
  bench_direct_result_clear (&d);
  g_free (o.server_bin);
  g_free (o.forwarding);
  return ok ? 0 : 1;
}
