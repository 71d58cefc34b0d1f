/* test-relay-media.c — real media through the relay over 127.0.0.1: in-process test peers send
 * VP8 + Opus, the relay forwards without decoding, the peers decode each other. In two-peers the
 * encoders make keyframes only every 10000 frames, so every receiver depends on its keyframe
 * request (PLI) crossing the relay to the sender. Timeouts are generous: the machine is slow and shared. */
#include "tests/unit/relay/harness.h"
#include "relay/relay-private.h"
#include "relay/relay-wire.h"

#include <agent.h>   /* stall-watch cuts a participant's ICE stream */

#include <gst/gst.h>
#include <string.h>
#include <stdlib.h>
#include <execinfo.h>
#include <sys/prctl.h>

#define NO_KEYFRAMES 10000   /* frames between spontaneous keyframes: in effect never */
/* The longer scenarios still depend on keyframe requests for a quick start, but recover within
 * 10 s should one request be lost while the machine is overloaded. */
#define RARE_KEYFRAMES 300
#define WAIT_S (g_getenv ("TEST_WAIT_S") ? atoi (g_getenv ("TEST_WAIT_S")) : 90)

static void
assert_no_codecs (SamtalRelay *relay, const char *room)
{
  g_auto (GStrv) names = samtal_relay_list_element_factories (relay, room);
  g_assert_nonnull (names);
  for (guint i = 0; names[i] != NULL; i++) {
    g_autoptr (GstElementFactory) f = gst_element_factory_find (names[i]);
    g_assert_nonnull (f);
    const char *klass = gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS);
    g_test_message ("relay room element: %s (%s)", names[i], klass);
    /* DTLS-SRTP elements call themselves Encoder/Decoder/Network: they encrypt, not transcode. */
    gboolean codec = (strstr (klass, "Decoder") || strstr (klass, "Encoder")) &&
                     !strstr (klass, "Network");
    g_assert_false (codec);
    g_assert_false (strstr (klass, "Codec/Decoder") || strstr (klass, "Codec/Encoder"));
  }
}

static gboolean
frames_grew (Harness *h, gpointer data)
{
  guint *want = data;  /* [a→c target, c→a target] */
  TestPeer *a = g_hash_table_lookup (h->peers, "a");
  TestPeer *c = g_hash_table_lookup (h->peers, "c");
  return test_peer_frames_from (c, "a") >= want[0] && test_peer_frames_from (a, "c") >= want[1];
}

/* b has sender reports for at least data of the streams forwarded to it. */
static gboolean
has_sender_reports (Harness *h, gpointer data)
{
  return test_peer_sender_reports (g_hash_table_lookup (h->peers, "b")) >= GPOINTER_TO_UINT (data);
}

/* TRUE once the relay reads the sockets of as many participants as data says, with datagrams
 * read. */
static gboolean
readers_reading (Harness *h, gpointer data)
{
  g_autofree char *text = samtal_relay_describe_room (h->relay, "room");
  guint n = 0;
  for (const char *p = text; p != NULL && (p = strstr (p, ", reader reading (")) != NULL; p++)
    if (!g_str_has_prefix (p, ", reader reading (0 datagrams"))
      n++;
  return n >= GPOINTER_TO_UINT (data);
}

/* TRUE once the relay forwarded 100 packets more than *data. */
static gboolean
forwarded_more_than (Harness *h, gpointer data)
{
  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  return stats.forwarded_packets > *(guint64 *) data + 100;
}

/* The port of the socket the relay reads for participant id (0 if none). */
static guint
reader_port (Harness *h, const char *id)
{
  g_autofree char *text = samtal_relay_describe_room (h->relay, "room");
  g_autofree char *head = g_strdup_printf ("%s: ", id);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *port = g_str_has_prefix (lines[i], head) ? strstr (lines[i], ", port ") : NULL;
    if (port != NULL)
      return (guint) g_ascii_strtoull (port + 7, NULL, 10);
  }
  return 0;
}

static gboolean
handed_back_once (Harness *h, gpointer data)
{
  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  return stats.handed_back >= 1;
}

/* A datagram from an address that is not the selected pair's (here: an RTP-looking one from
 * another local socket) hands the socket back to libnice; two seconds later the relay reads the
 * pair again, and media flowed through all of it. */
static void
test_hand_back_and_retake (void)
{
  Harness *h = harness_new (0);

  if (!h->relay->own_srtp) {
    harness_free (h);
    g_test_skip ("the relay reads sockets itself only with its own SRTP");
    return;
  }
  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", NO_KEYFRAMES);
  harness_join (h, "room", "b", NO_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (30), WAIT_S));
  g_assert_true (harness_wait (h, readers_reading, GUINT_TO_POINTER (2), WAIT_S));
  guint port = reader_port (h, "a");
  g_assert_cmpuint (port, >, 0);

  g_autoptr (GSocket) stranger = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                               G_SOCKET_PROTOCOL_UDP, NULL);
  g_assert_nonnull (stranger);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new (lo, (guint16) port);
  const guint8 rtp[20] = { 0x80, 96, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78 };
  g_assert_cmpint (g_socket_send_to (stranger, to, (const gchar *) rtp, sizeof rtp, NULL, NULL),
                   ==, sizeof rtp);
  g_assert_true (harness_wait (h, handed_back_once, NULL, WAIT_S));
  /* taken over again, and media still flows both ways */
  g_assert_true (harness_wait (h, readers_reading, GUINT_TO_POINTER (2), WAIT_S));
  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  guint64 before = stats.forwarded_packets;
  g_assert_true (harness_wait (h, forwarded_more_than, &before, WAIT_S));
  g_assert_cmpuint (stats.own_readers, ==, 2);
  g_assert_cmpuint (h->failed->len, ==, 0);
  harness_free (h);
}

static void
test_two_peers (void)
{
  Harness *h = harness_new (0);
  SamtalRelayStats stats;

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", NO_KEYFRAMES);
  harness_join (h, "room", "b", NO_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (60), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 0);

  assert_no_codecs (h->relay, "room");
  samtal_relay_get_stats (h->relay, &stats);
  g_assert_cmpuint (stats.rooms, ==, 1);
  g_assert_cmpuint (stats.participants, ==, 2);
  g_assert_cmpuint (stats.forwarded_packets, >, 60);
  /* The per-branch counts used when a wait times out: every branch carried packets. */
  g_autofree char *branches = samtal_relay_describe_room (h->relay, "room");
  g_test_message ("%s", branches);
  g_assert_nonnull (strstr (branches, "a <- b video: into branch "));
  g_assert_nonnull (strstr (branches, "b <- a audio: into branch "));
  g_assert_null (strstr (branches, "into webrtcbin 0,"));
  g_assert_null (samtal_relay_describe_room (h->relay, "no-such-room"));
  /* a's sender reports reach b (its audio and video): RTP time maps to a's clock (lip sync). */
  if (h->relay->direct)
    g_assert_true (harness_wait (h, has_sender_reports, GUINT_TO_POINTER (2), WAIT_S));
  /* With its own SRTP the relay reads both sockets itself, and media still flows through it. */
  if (h->relay->own_srtp) {
    g_assert_true (harness_wait (h, readers_reading, GUINT_TO_POINTER (2), WAIT_S));
    samtal_relay_get_stats (h->relay, &stats);
    guint64 before = stats.forwarded_packets;
    g_assert_true (harness_wait (h, forwarded_more_than, &before, WAIT_S));
  }
  harness_free (h);
}

/* TRUE once the monotonic time in data has passed. */
static gboolean
time_passed (Harness *h, gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
test_late_joiner_and_leaving (void)
{
  Harness *h = harness_new (0);

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  /* a is alone for a while, as a client in the waiting room: its streams cross the sequence wrap
   * (test-peer.c starts them 36 packets below it) before anyone subscribes, so the relay takes
   * them over from srtpdec past roll-over 0 (relay-srtp.h, samtal_srtp_expect_roc). */
  gint64 until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  g_assert_true (harness_wait (h, time_passed, &until, WAIT_S));
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (30), WAIT_S));

  /* A third joins a running meeting and sees both (keyframes on request only). */
  harness_join (h, "room", "c", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (60), WAIT_S));

  /* b leaves: a and c go on. */
  harness_leave (h, "room", "b");
  TestPeer *a = g_hash_table_lookup (h->peers, "a");
  TestPeer *c = g_hash_table_lookup (h->peers, "c");
  guint want[2] = { test_peer_frames_from (c, "a") + 60, test_peer_frames_from (a, "c") + 60 };
  g_assert_true (harness_wait (h, frames_grew, want, WAIT_S));
  g_auto (GStrv) names = samtal_relay_list_element_factories (h->relay, "room");
  g_assert_nonnull (names);

  /* The same participant may come back. */
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (30), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 0);
  harness_free (h);
}

static gboolean
has_failed (Harness *h, gpointer id)
{
  for (guint i = 0; i < h->failed->len; i++)
    if (g_str_equal (g_ptr_array_index (h->failed, i), id))
      return TRUE;
  return FALSE;
}

/* A participant whose DTLS handshake fails (its offer's fingerprint is not its certificate's) is
 * removed alone; the two others keep their meeting. */
static void
test_failure_is_isolated (void)
{
  Harness *h = harness_new (0);
  SamtalRelayStats stats;

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  TestPeer *bad = harness_join (h, "room", "mallory", RARE_KEYFRAMES);
  test_peer_corrupt_fingerprint (bad);
  g_assert_true (harness_wait (h, has_failed, (gpointer) "mallory", WAIT_S));
  harness_drop_peer (h, "mallory");
  samtal_relay_get_stats (h->relay, &stats);
  g_assert_cmpuint (stats.participants, ==, 2);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (60), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 1);
  harness_free (h);
}

static GstPadProbeReturn
block_forever (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_OK;   /* a BLOCK probe that stays: the branch's queue thread waits here */
}

/* The relay's own input into a's SRTP encoder (direct forwarding), refusing every packet. */
static GstPadProbeReturn
refuse (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GST_PAD_PROBE_INFO_FLOW_RETURN (info) = GST_FLOW_ERROR;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    gst_buffer_unref (GST_PAD_PROBE_INFO_BUFFER (info));
  else
    gst_buffer_list_unref (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  GST_PAD_PROBE_INFO_DATA (info) = NULL;
  return GST_PAD_PROBE_HANDLED;
}

static void
refuse_forwarding_into (SamtalRelayParticipant *a)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (a->webrtc));
  GValue item = G_VALUE_INIT;
  guint found = 0;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    g_autoptr (GstPad) pad = NULL;
    if (g_str_has_prefix (GST_OBJECT_NAME (e), "dtlssrtpenc") &&
        (pad = gst_element_get_static_pad (e, "rtp_sink_1")) != NULL) {
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, refuse,
                         NULL, NULL);
      found++;
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  g_assert_cmpuint (found, ==, 1);
}

/* Set by cut_ice_of: libnice then warns, as it should, that a's stream is gone (the writer below
 * lets that one through). */
static gint ice_cut;

/* The relay's ICE stream to a removed from its libnice agent: every send into a fails, as on a
 * socket that broke (direct forwarding with the relay's own SRTP sends straight to the agent). */
static void
cut_ice_of (SamtalRelayParticipant *a)
{
  guint n = 0;
  g_autoptr (GstElement) sink = samtal_relay_find_element (a->webrtc, "nicesink", &n);
  NiceAgent *agent = NULL;
  guint stream = 0;

  g_assert_nonnull (sink);
  g_object_get (sink, "agent", &agent, "stream", &stream, NULL);
  g_assert_nonnull (agent);
  g_atomic_int_set (&ice_cut, 1);
  nice_agent_remove_stream (agent, stream);
  g_object_unref (agent);
}

/* The stall watch: a forwarding branch that stops delivering inside the relay (direct
 * forwarding: a's SRTP encoder refuses the forwarded packets; pipeline forwarding: the branch's
 * capsfilter blocked, as a queue thread stuck inside a subscriber's webrtcbin would be) gets
 * that subscriber's media restarted — a participant_failed for it alone, within seconds — and
 * the other direction goes on. */
static void
test_stall_watch (void)
{
  Harness *h = harness_new (0);

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 0);

  SamtalRelayRoom *room = g_hash_table_lookup (h->relay->rooms, "room");
  SamtalRelayParticipant *a = g_hash_table_lookup (room->participants, "a");
  SamtalRelaySubscription *sub = NULL;
  for (guint i = 0; i < a->subscriptions->len && sub == NULL; i++) {
    SamtalRelaySubscription *s = g_ptr_array_index (a->subscriptions, i);
    if (g_str_equal (s->pub->kind, "video"))
      sub = s;
  }
  g_assert_nonnull (sub);
  if (h->relay->own_srtp) {
    cut_ice_of (a);
  } else if (h->relay->direct) {
    refuse_forwarding_into (a);
  } else {
    g_autoptr (GstPad) out = gst_element_get_static_pad (sub->capsfilter, "src");
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, block_forever, NULL, NULL);
  }

  g_assert_true (harness_wait (h, has_failed, (gpointer) "a", WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 1);
  harness_drop_peer (h, "a");
  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  g_assert_cmpuint (stats.participants, ==, 1);
  harness_free (h);
  g_atomic_int_set (&ice_cut, 0);
}

/* A participant that never answers a relay offer (a lost answer) would get nothing forwarded
 * for good (the gate is closed while an offer is out): after the answer timeout its media is
 * restarted, and only its. */
static void
test_answer_timeout (void)
{
  Harness *h = harness_new_config (0, 0, 4);

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
  test_peer_ignore_offers (g_hash_table_lookup (h->peers, "b"));
  harness_join (h, "room", "c", RARE_KEYFRAMES);   /* b gets an offer with c's tracks */
  g_assert_true (harness_wait (h, has_failed, (gpointer) "b", WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 1);
  harness_drop_peer (h, "b");
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 1);
  harness_free (h);
}

/* Loss between the relay and a receiver (every 25th video packet into b): b NACKs, the relay
 * resends from its cache as RTX on the stream its offer declared, and b keeps decoding a's video
 * although a makes keyframes only on request. No one fails (libsrtp never sees an index twice). */
static void
test_nack_rtx (void)
{
  Harness *h = harness_new (0);
  SamtalRelayStats stats;

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  test_peer_lose_video (harness_join (h, "room", "b", RARE_KEYFRAMES), 25);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (150), WAIT_S));
  TestPeer *b = g_hash_table_lookup (h->peers, "b");
  samtal_relay_get_stats (h->relay, &stats);
  g_test_message ("b lost %u packets; relay resent %" G_GUINT64_FORMAT ", asked the sender for %"
                  G_GUINT64_FORMAT ", passed %" G_GUINT64_FORMAT " keyframe requests",
                  test_peer_lost (b), stats.retransmitted, stats.nack_upstream,
                  stats.keyframe_requests);
  g_assert_cmpuint (test_peer_lost (b), >, 0);
  if (h->relay->direct)
    g_assert_cmpuint (stats.retransmitted, >, 0);
  g_assert_cmpuint (h->failed->len, ==, 0);
  harness_free (h);
}

/* Removed tracks keep their m-lines, so every join and leave grows the others' SDP. Past the
 * relay's max_mlines a participant is failed ("starting it over") instead of being sent an offer
 * no browser answer could carry (signaling's limit), and its fresh rejoin works. Here the limit
 * is 8: a and b have 4 m-lines each (own audio+video, the other's two); c's first visit brings
 * them to 6, its second to 8, its third would need 10. A fresh c has 6 (its own two and a's and
 * b's), and after a's fresh rejoin 8: c stays. */
static void
test_mline_limit (void)
{
  Harness *h = harness_new_full (0, 8);

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
  for (guint visit = 0; visit < 2; visit++) {
    harness_join (h, "room", "c", RARE_KEYFRAMES);
    g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
    harness_leave (h, "room", "c");
  }
  g_assert_cmpuint (h->failed->len, ==, 0);

  harness_join (h, "room", "c", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, has_failed, (gpointer) "a", WAIT_S));
  g_assert_true (harness_wait (h, has_failed, (gpointer) "b", WAIT_S));
  harness_drop_peer (h, "a");
  harness_drop_peer (h, "b");

  /* a starts over with a fresh connection: a and c see each other. */
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (10), WAIT_S));
  g_assert_false (has_failed (h, (gpointer) "c"));
  g_assert_cmpuint (h->failed->len, ==, 2);
  harness_free (h);
}

/* ---- removal while media flows: the main loop must never stall ---- */

#define MAX_REMOVE_US (100 * G_TIME_SPAN_MILLISECOND)   /* a removal returns within this */
#define MAX_GAP_US (3 * G_TIME_SPAN_SECOND)              /* longest main-loop stall accepted */
#define HANG_US (30 * G_TIME_SPAN_SECOND)                /* the watchdog calls it a hang */

/* A heartbeat on the main context and a thread that watches it: it records the longest gap
 * between beats, and turns a hang into a test failure instead of a stuck test. */
typedef struct {
  gint64 last_beat;    /* __atomic */
  gint64 max_gap;      /* __atomic */
  gint stop;           /* atomic */
  guint beats;         /* main context only */
  guint source;
  GThread *thread;
} Watchdog;

static gboolean
beat (gpointer data)
{
  Watchdog *w = data;
  __atomic_store_n (&w->last_beat, g_get_monotonic_time (), __ATOMIC_RELAXED);
  w->beats++;
  return G_SOURCE_CONTINUE;
}

static gpointer
watch (gpointer data)
{
  Watchdog *w = data;
  while (!g_atomic_int_get (&w->stop)) {
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    gint64 gap = g_get_monotonic_time () - __atomic_load_n (&w->last_beat, __ATOMIC_RELAXED);
    if (gap > __atomic_load_n (&w->max_gap, __ATOMIC_RELAXED))
      __atomic_store_n (&w->max_gap, gap, __ATOMIC_RELAXED);
    if (gap > HANG_US)
      g_error ("the main context has not run for %" G_GINT64_FORMAT " ms", gap / 1000);
  }
  return NULL;
}

static void
watchdog_start (Watchdog *w)
{
  memset (w, 0, sizeof *w);
  beat (w);
  w->source = g_timeout_add (20, beat, w);
  w->thread = g_thread_new ("watchdog", watch, w);
}

static gint64
watchdog_stop (Watchdog *w)
{
  g_atomic_int_set (&w->stop, 1);
  g_thread_join (w->thread);
  g_source_remove (w->source);
  return __atomic_load_n (&w->max_gap, __ATOMIC_RELAXED);
}

/* Frames each of a, b, c decoded from the two others. */
typedef struct {
  guint n[3][3];
} Seen;

static const char *const abc[] = { "a", "b", "c" };

static void
seen_now (Harness *h, Seen *seen)
{
  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++) {
      TestPeer *p = g_hash_table_lookup (h->peers, abc[i]);
      seen->n[i][j] = (i != j && p != NULL) ? test_peer_frames_from (p, abc[j]) : 0;
    }
}

/* Every present peer decoded ≥ 20 more frames from every other present peer than in base. */
static gboolean
all_grew (Harness *h, gpointer data)
{
  Seen *base = data, now;
  seen_now (h, &now);
  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++)
      if (i != j && g_hash_table_contains (h->peers, abc[i]) &&
          g_hash_table_contains (h->peers, abc[j]) && now.n[i][j] < base->n[i][j] + 20)
        return FALSE;
  return TRUE;
}

static gboolean
no_teardowns (Harness *h, gpointer data)
{
  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  return stats.teardowns == 0;
}

static void
spin_main_loop (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gint64
timed_leave (Harness *h, const char *id)
{
  gint64 t0 = g_get_monotonic_time ();
  samtal_relay_remove_participant (h->relay, "room", id);
  gint64 took = g_get_monotonic_time () - t0;
  harness_drop_peer (h, id);
  g_test_message ("removing %s took %" G_GINT64_FORMAT " us", id, took);
  return took;
}

/* c joins a running meeting of a and b and leaves again, over and over, while media flows both
 * ways (and once before its negotiation finished); the same id comes back while the previous c
 * may still be tearing down. Every removal returns at once, the main context never stalls, no
 * event arrives for a removed participant, and a and b keep seeing each other throughout. The
 * room is destroyed with media flowing, also without a stall. */
static void
test_remove_while_flowing (void)
{
  Harness *h = harness_new (0);
  Watchdog w;
  Seen base;
  SamtalRelayStats stats;

  watchdog_start (&w);
  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
  harness_join (h, "room", "b", RARE_KEYFRAMES);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (20), WAIT_S));

  for (guint round = 0; round < 4; round++) {
    seen_now (h, &base);
    harness_join (h, "room", "c", RARE_KEYFRAMES);
    if (round == 2) {
      spin_main_loop (300);   /* c is still negotiating */
    } else {
      g_assert_true (harness_wait (h, all_grew, &base, WAIT_S));   /* c sees a and b */
    }
    g_assert_cmpint (timed_leave (h, "c"), <, MAX_REMOVE_US);
    g_assert_cmpuint (h->stale_events, ==, 0);
    seen_now (h, &base);
    g_assert_true (harness_wait (h, all_grew, &base, WAIT_S));   /* a and b go on */
  }
  g_assert_cmpuint (h->stale_events, ==, 0);
  g_assert_cmpuint (h->failed->len, ==, 0);

  /* Destroying the room with media flowing returns at once, too. */
  gint64 t0 = g_get_monotonic_time ();
  samtal_relay_destroy_room (h->relay, "room");
  gint64 took = g_get_monotonic_time () - t0;
  g_test_message ("destroying the room took %" G_GINT64_FORMAT " us", took);
  g_assert_cmpint (took, <, MAX_REMOVE_US);
  samtal_relay_get_stats (h->relay, &stats);
  g_assert_cmpuint (stats.rooms, ==, 0);
  g_assert_cmpuint (stats.participants, ==, 0);
  g_assert_true (harness_wait (h, no_teardowns, NULL, WAIT_S));
  g_assert_cmpuint (h->stale_events, ==, 0);

  gint64 gap = watchdog_stop (&w);
  g_test_message ("main loop: %u beats, longest gap %" G_GINT64_FORMAT " ms", w.beats,
                  gap / 1000);
  g_assert_cmpint (gap, <, MAX_GAP_US);
  harness_free (h);
}

/* Two races inside GStreamer 1.22, with no relay or test code on the thread, are logged here and
 * not fatal; every other warning or critical still aborts the test, as g_test_init would make it.
 * 1. rtpsession (gst-plugins-good rtpmanager) now and then reports, from its own RTCP thread,
 *    that its table of sources changed while it generated a report. GLib stops that one
 *    iteration and the session goes on (one RTCP report fewer).
 * 2. A receiving webrtcbin (a test peer) that meets a new SSRC while it applies an offer with
 *    new m-lines looks up a transceiver it has not made yet (its PC lock is let go for a notify
 *    in between) and warns "jitter_buffer_set_retransmission: code should not be reached"; it
 *    skips that m-line and goes on. The relay holds a new stream's first packet back while the
 *    receiver renegotiates, which makes this rare (relay-forward.c); it cannot rule it out. */
static gboolean
known_gstreamer_race (const GLogField *fields, gsize n_fields)
{
  char name[17] = "";
  prctl (PR_GET_NAME, name, 0, 0, 0);
  for (gsize i = 0; i < n_fields; i++) {
    if (!g_str_equal (fields[i].key, "MESSAGE") || fields[i].length >= 0)
      continue;
    if (g_str_equal (name, "rtpsession-rtcp") &&
        strstr (fields[i].value, "g_hash_table_foreach: assertion 'version == "
                                 "hash_table->version'") != NULL)
      return TRUE;
    if (strstr (fields[i].value, "jitter_buffer_set_retransmission: code should not be "
                                 "reached") != NULL)
      return TRUE;
    if (g_atomic_int_get (&ice_cut) && strstr (fields[i].value, "Could not find component") != NULL)
      return TRUE;   /* stall-watch removed that ICE stream itself */
  }
  return FALSE;
}

/* Every message goes through here (g_log and g_log_structured alike). Criticals from library
 * threads are hard to catch in a debugger, so a fatal one prints its thread and backtrace first. */
static GLogWriterOutput
test_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (!(level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_LEVEL_WARNING)))
    return g_log_writer_default (level, fields, n_fields, data);
  if (known_gstreamer_race (fields, n_fields)) {
    g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
    g_printerr ("known or expected, not fatal: %s\n", line);
    return G_LOG_WRITER_HANDLED;
  }
  void *frames[32];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  char name[17] = "";
  prctl (PR_GET_NAME, name, 0, 0, 0);
  g_printerr ("fatal log message in thread %s:\n", name);
  backtrace_symbols_fd (frames, n, 2);
  g_log_writer_default (level, fields, n_fields, data);
  abort ();
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (test_log_writer, NULL, NULL);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* test_log_writer decides what is fatal (see known_gstreamer_race). */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_test_add_func ("/relay/media/two-peers", test_two_peers);
  g_test_add_func ("/relay/media/late-joiner-and-leaving", test_late_joiner_and_leaving);
  g_test_add_func ("/relay/media/failure-is-isolated", test_failure_is_isolated);
  g_test_add_func ("/relay/media/remove-while-flowing", test_remove_while_flowing);
  g_test_add_func ("/relay/media/mline-limit", test_mline_limit);
  g_test_add_func ("/relay/media/stall-watch", test_stall_watch);
  g_test_add_func ("/relay/media/hand-back-and-retake", test_hand_back_and_retake);
  g_test_add_func ("/relay/media/answer-timeout", test_answer_timeout);
  g_test_add_func ("/relay/media/nack-rtx", test_nack_rtx);
  return g_test_run ();
}
