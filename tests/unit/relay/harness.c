/* harness.c — see harness.h. */
#include "tests/unit/relay/harness.h"

#include <unistd.h>

#include <gst/gst.h>

static void
on_local_description (const char *room_id, const char *participant_id, const char *type,
                      const char *sdp, const SamtalRelayTrack *tracks, guint n_tracks,
                      gpointer user_data)
{
  Harness *h = user_data;
  TestPeer *peer = g_hash_table_lookup (h->peers, participant_id);
  if (g_str_equal (type, "offer"))
    h->offers++;
  if (peer == NULL)
    h->stale_events++;
  if (g_getenv ("TEST_PEER_DUMP") != NULL) {
    g_printerr ("relay %s to %s:\n%s", type, participant_id, sdp);
    for (guint i = 0; i < n_tracks; i++)
      g_printerr ("  track mid %s = %s %s\n", tracks[i].mid, tracks[i].source_participant_id,
                  tracks[i].kind);
  }
  if (peer != NULL)
    test_peer_on_description (peer, type, sdp, tracks, n_tracks);
}

static void
on_local_candidate (const char *room_id, const char *participant_id, guint mline_index,
                    const char *candidate, gpointer user_data)
{
  Harness *h = user_data;
  TestPeer *peer = g_hash_table_lookup (h->peers, participant_id);
  if (peer != NULL)
    test_peer_on_candidate (peer, mline_index, candidate);
  else
    h->stale_events++;
}

static void
on_participant_failed (const char *room_id, const char *participant_id, const char *reason,
                       gpointer user_data)
{
  Harness *h = user_data;
  g_message ("participant %s failed: %s", participant_id, reason);
  g_ptr_array_add (h->failed, g_strdup (participant_id));
}

Harness *
harness_new (guint max_participants)
{
  return harness_new_full (max_participants, 0);
}

Harness *
harness_new_full (guint max_participants, guint max_mlines)
{
  return harness_new_config (max_participants, max_mlines, 0);
}

Harness *
harness_new_config (guint max_participants, guint max_mlines, guint answer_timeout_s)
{
  static const SamtalRelayEvents events = {
    .local_description = on_local_description,
    .local_candidate = on_local_candidate,
    .participant_failed = on_participant_failed,
  };
  char *addresses[] = { (char *) "127.0.0.1", NULL };
  SamtalRelayConfig config = { .ice_addresses = addresses, .max_participants = max_participants,
                               .max_mlines = max_mlines, .answer_timeout_s = answer_timeout_s };
  /* relay-media-pipeline runs some tests against the first forwarding design too */
  if (g_strcmp0 (g_getenv ("SAMTAL_TEST_RELAY_FORWARDING"), "pipeline") == 0)
    config.forwarding = SAMTAL_RELAY_FORWARD_PIPELINE;
  else if (g_strcmp0 (g_getenv ("SAMTAL_TEST_RELAY_FORWARDING"), "direct-gst") == 0)
    config.forwarding = SAMTAL_RELAY_FORWARD_DIRECT_GST;
  Harness *h = g_new0 (Harness, 1);
  g_autoptr (GError) error = NULL;

  h->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  h->stopping = g_ptr_array_new ();
  h->failed = g_ptr_array_new_with_free_func (g_free);
  h->relay = samtal_relay_new (&config, &events, h, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h->relay);
  return h;
}

void
harness_free (Harness *h)
{
  GHashTableIter it;
  gpointer peer;

  samtal_relay_free (h->relay);
  g_hash_table_iter_init (&it, h->peers);
  while (g_hash_table_iter_next (&it, NULL, &peer))
    g_ptr_array_add (h->stopping, test_peer_stop (peer));
  g_hash_table_unref (h->peers);
  for (guint i = 0; i < h->stopping->len; i++)
    g_thread_join (g_ptr_array_index (h->stopping, i));
  g_ptr_array_unref (h->stopping);
  g_ptr_array_unref (h->failed);
  /* Let pending invocations of the peers run out. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (h);
}

TestPeer *
harness_join (Harness *h, const char *room, const char *id, guint keyframe_interval)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_relay_add_participant (h->relay, room, id, &error));
  g_assert_no_error (error);
  TestPeer *peer = test_peer_new (h->relay, room, id, keyframe_interval);
  g_hash_table_insert (h->peers, g_strdup (id), peer);
  return peer;
}

void
harness_leave (Harness *h, const char *room, const char *id)
{
  samtal_relay_remove_participant (h->relay, room, id);
  harness_drop_peer (h, id);
}

void
harness_drop_peer (Harness *h, const char *id)
{
  TestPeer *peer = g_hash_table_lookup (h->peers, id);
  if (peer == NULL)
    return;
  g_hash_table_remove (h->peers, id);
  g_ptr_array_add (h->stopping, test_peer_stop (peer));
}

static void
harness_dump (Harness *h)
{
  GHashTableIter a, b;
  gpointer ka, va, kb;

  SamtalRelayStats stats;
  samtal_relay_get_stats (h->relay, &stats);
  g_test_message ("relay: %u rooms, %u participants, %" G_GUINT64_FORMAT " forwarded packets",
                  stats.rooms, stats.participants, stats.forwarded_packets);
  g_autofree char *branches = samtal_relay_describe_room (h->relay, "room");
  if (branches != NULL)
    g_test_message ("relay room \"room\":\n%s", branches);
  g_hash_table_iter_init (&a, h->peers);
  while (g_hash_table_iter_next (&a, &ka, &va)) {
    g_autofree char *line = test_peer_describe (va);
    g_test_message ("%s", line);
    g_hash_table_iter_init (&b, h->peers);
    while (g_hash_table_iter_next (&b, &kb, NULL))
      if (!g_str_equal (ka, kb))
        g_test_message ("%s decoded %u frames from %s (answered %u relay offers)",
                        (char *) ka, test_peer_frames_from (va, kb), (char *) kb,
                        test_peer_offers_answered (va));
  }
}

/* With SAMTAL_TEST_GDB=FILE set, a timed-out wait writes every thread's backtrace (gdb attached
 * to this process) to FILE: a frozen webrtcbin is only understood from its threads. gdb writes to
 * the file, not to a pipe: this process is stopped while gdb runs and could not drain one. */
void
harness_dump_threads (void)
{
  const char *file = g_getenv ("SAMTAL_TEST_GDB");
  if (file == NULL)
    return;
  g_autofree char *script = g_strdup_printf (
      "gdb -p %d -batch -ex 'thread apply all bt' >\"$0\" 2>&1 </dev/null", (int) getpid ());
  const char *argv[] = { "sh", "-c", script, file, NULL };
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  g_printerr ("thread backtraces written to %s\n", file);
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
harness_wait (Harness *h, HarnessCond cond, gpointer data, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint timer = g_timeout_add (50, tick, NULL);
  gboolean ok;

  while (!(ok = cond (h, data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);
  if (!ok) {
    harness_dump (h);
    harness_dump_threads ();
  }
  return ok;
}

gboolean
harness_all_see_all (Harness *h, gpointer min_frames)
{
  GHashTableIter a, b;
  gpointer ka, va, kb;

  g_hash_table_iter_init (&a, h->peers);
  while (g_hash_table_iter_next (&a, &ka, &va)) {
    g_hash_table_iter_init (&b, h->peers);
    while (g_hash_table_iter_next (&b, &kb, NULL))
      if (!g_str_equal (ka, kb) &&
          test_peer_frames_from (va, kb) < GPOINTER_TO_UINT (min_frames))
        return FALSE;
  }
  return TRUE;
}
