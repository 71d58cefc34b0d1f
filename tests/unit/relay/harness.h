/* harness.h — a relay with in-process test peers wired to its events, for the relay tests.
 * Everything runs on the default main context; harness_wait() iterates it until a condition
 * holds or a (generous) timeout passes.
 */
#pragma once

#include "tests/unit/relay/test-peer.h"

typedef struct {
  SamtalRelay *relay;
  GHashTable *peers;        /* participant id → TestPeer */
  GPtrArray *failed;        /* participant ids reported by participant_failed */
  guint offers;             /* relay offers seen */
  guint stale_events;       /* events for a participant that is not (any more) in peers */
  GPtrArray *stopping;      /* GThread: test peers stopping, joined by harness_free */
} Harness;

Harness *harness_new (guint max_participants);
/* max_mlines: SamtalRelayConfig.max_mlines (0: the default). */
Harness *harness_new_full (guint max_participants, guint max_mlines);
/* answer_timeout_s: SamtalRelayConfig.answer_timeout_s (0: the default). */
Harness *harness_new_config (guint max_participants, guint max_mlines, guint answer_timeout_s);
void harness_free (Harness *h);
/* Adds participant id to room and starts its test peer. */
TestPeer *harness_join (Harness *h, const char *room, const char *id, guint keyframe_interval);
/* Removes participant id from the relay and stops its peer. */
void harness_leave (Harness *h, const char *room, const char *id);
/* Stops the test peer of participant id (off the main context), if there is one. */
void harness_drop_peer (Harness *h, const char *id);
/* With SAMTAL_TEST_GDB=FILE: every thread's backtrace (gdb) into FILE. */
void harness_dump_threads (void);
typedef gboolean (*HarnessCond) (Harness *h, gpointer data);
gboolean harness_wait (Harness *h, HarnessCond cond, gpointer data, guint timeout_s);
/* TRUE when every peer has decoded ≥ min frames from every other peer. */
gboolean harness_all_see_all (Harness *h, gpointer min_frames);
