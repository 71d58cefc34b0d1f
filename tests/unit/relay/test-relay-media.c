/* test-relay-media.c — real media through the relay over 127.0.0.1: in-process test peers send
 * VP8 + Opus, the relay forwards without decoding, the peers decode each other. In two-peers the
 * encoders make keyframes only every 10000 frames, so every receiver depends on its keyframe
 * request (PLI) crossing the relay to the sender. Timeouts are generous: the machine is slow and shared. */
#include "tests/unit/relay/harness.h"

#include <gst/gst.h>
#include <string.h>
#include <stdlib.h>
#include <execinfo.h>

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
  harness_free (h);
}

static void
test_late_joiner_and_leaving (void)
{
  Harness *h = harness_new (0);

  g_assert_true (samtal_relay_create_room (h->relay, "room", NULL));
  harness_join (h, "room", "a", RARE_KEYFRAMES);
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
  g_hash_table_remove (h->peers, "mallory");
  samtal_relay_get_stats (h->relay, &stats);
  g_assert_cmpuint (stats.participants, ==, 2);
  g_assert_true (harness_wait (h, harness_all_see_all, GUINT_TO_POINTER (60), WAIT_S));
  g_assert_cmpuint (h->failed->len, ==, 1);
  harness_free (h);
}

/* Criticals from library threads are hard to catch in a debugger: print where they came from. */
static gboolean
backtrace_on_critical (const char *domain, GLogLevelFlags level, const char *message,
                       gpointer data)
{
  void *frames[32];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  g_printerr ("critical from %s: %s\n", domain ? domain : "?", message);
  backtrace_symbols_fd (frames, n, 2);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_log_set_fatal_handler (backtrace_on_critical, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/relay/media/two-peers", test_two_peers);
  g_test_add_func ("/relay/media/late-joiner-and-leaving", test_late_joiner_and_leaving);
  g_test_add_func ("/relay/media/failure-is-isolated", test_failure_is_isolated);
  return g_test_run ();
}
