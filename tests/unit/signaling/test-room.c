/* Unit tests for the room state machine: waiting room, admission, staff powers, presence,
 * negotiation rules, rejoin, limits, media failure and the meeting's end — all without sockets,
 * by looking at the actions each call returns. */
#include "room.h"
#include "sdp-samples.h"

#include <string.h>

#define NOW 1000000
#define ENDS (NOW + 3600)

enum { STAFF = 1, CLIENT = 2, INTERP = 3 };

typedef struct {
  SamtalRoom *room;
  GPtrArray *out;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->room = samtal_room_new (42, ENDS, NULL);
  f->out = samtal_room_actions_new ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_ptr_array_unref (f->out);
  samtal_room_free (f->room);
}

static void
reset (Fixture *f)
{
  g_ptr_array_set_size (f->out, 0);
}

/* ---- looking at actions ---- */

static const SamtalMsg *
sent (Fixture *f, guint64 conn, SamtalMsgType type)
{
  for (guint i = 0; i < f->out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (f->out, i);
    if (a->kind == SAMTAL_ROOM_SEND && a->conn == conn && a->msg->type == type)
      return a->msg;
  }
  return NULL;
}

static void
assert_error (Fixture *f, guint64 conn, const char *code)
{
  const SamtalMsg *m = sent (f, conn, SAMTAL_MSG_ERROR);
  if (m == NULL || g_strcmp0 (m->code, code) != 0)
    g_error ("expected error %s on conn %" G_GUINT64_FORMAT ", got %s", code, conn,
             m ? m->code : "none");
}

static const SamtalRoomAction *
action (Fixture *f, SamtalRoomActionKind kind, const char *pid)
{
  for (guint i = 0; i < f->out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (f->out, i);
    if (a->kind == kind && (pid == NULL || g_strcmp0 (a->participant_id, pid) == 0))
      return a;
  }
  return NULL;
}

static guint16
closed (Fixture *f, guint64 conn)
{
  for (guint i = 0; i < f->out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (f->out, i);
    if (a->kind == SAMTAL_ROOM_CLOSE && a->conn == conn)
      return a->close_code;
  }
  return 0;
}

static const SamtalMsg *
presence (Fixture *f, guint64 conn, const char *event, const char *about)
{
  for (guint i = 0; i < f->out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (f->out, i);
    if (a->kind == SAMTAL_ROOM_SEND && a->conn == conn && a->msg->type == SAMTAL_MSG_PRESENCE &&
        g_strcmp0 (a->msg->event, event) == 0 &&
        g_strcmp0 (a->msg->participant->participant_id, about) == 0)
      return a->msg;
  }
  return NULL;
}

static gboolean
audited (Fixture *f, const char *actor, const char *what)
{
  for (guint i = 0; i < f->out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (f->out, i);
    if (a->kind == SAMTAL_ROOM_AUDIT && g_strcmp0 (a->participant_id, actor) == 0 &&
        g_strcmp0 (a->text, what) == 0)
      return TRUE;
  }
  return FALSE;
}

/* ---- driving the room ---- */

static gboolean
join (Fixture *f, guint64 conn, const char *pid, const char *role)
{
  reset (f);
  SamtalRoomWho who = { pid, "Name", role };
  return samtal_room_join (f->room, conn, &who, NOW, f->out);
}

static void
send (Fixture *f, guint64 conn, const char *json)
{
  reset (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) m = samtal_msg_parse (json, strlen (json), SAMTAL_MSG_FROM_CLIENT, &error);
  g_assert_no_error (error);
  samtal_room_handle (f->room, conn, m, NOW, f->out);
}

static void
send_sdp (Fixture *f, guint64 conn, const char *type, const char *sdp)
{
  reset (f);
  g_autoptr (SamtalMsg) m = samtal_msg_new (samtal_msg_type_from_string (type));
  m->sdp = g_strdup (sdp);
  samtal_room_handle (f->room, conn, m, NOW, f->out);
}

static void
admit (Fixture *f, guint64 staff_conn, const char *pid)
{
  g_autofree char *json = g_strdup_printf ("{\"type\":\"admit\",\"participant_id\":\"%s\"}", pid);
  send (f, staff_conn, json);
}

/* Staff u7 on conn 1, client u12 on conn 2 (admitted, unless told not to). */
static void
staff_and_client (Fixture *f, gboolean admit_client)
{
  g_assert_true (join (f, STAFF, "u7", "caseworker"));
  g_assert_true (join (f, CLIENT, "u12", "client"));
  if (admit_client)
    admit (f, STAFF, "u12");
}

/* ---- tests ---- */

static void
test_staff_in_at_once (Fixture *f, gconstpointer data)
{
  g_assert_true (join (f, STAFF, "u7", "caseworker"));
  const SamtalMsg *j = sent (f, STAFF, SAMTAL_MSG_JOINED);
  g_assert_nonnull (j);
  g_assert_cmpstr (j->state, ==, "admitted");
  g_assert_cmpint (j->meeting_id, ==, 42);
  g_assert_cmpuint (j->participants->len, ==, 0);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u7"));
  g_assert_true (audited (f, "u7", "meeting.join"));
  g_assert_cmpuint (samtal_room_n_admitted (f->room), ==, 1);
  g_assert_cmpstr (samtal_room_get_id (f->room), ==, "42");
}

static void
test_waiting_room (Fixture *f, gconstpointer data)
{
  staff_and_client (f, FALSE);
  const SamtalMsg *j = sent (f, CLIENT, SAMTAL_MSG_JOINED);
  g_assert_cmpstr (j->state, ==, "waiting");
  g_assert_cmpuint (j->participants->len, ==, 1);
  g_assert_nonnull (presence (f, STAFF, "joined", "u12"));
  g_assert_null (action (f, SAMTAL_ROOM_RELAY_ADD, NULL));
  g_assert_cmpuint (samtal_room_n_waiting (f->room), ==, 1);

  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  assert_error (f, CLIENT, "not_admitted");
  g_assert_null (action (f, SAMTAL_ROOM_RELAY_SDP, NULL));
  send (f, CLIENT, "{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":0}");
  assert_error (f, CLIENT, "not_admitted");
  /* A client cannot admit itself or anyone. */
  admit (f, CLIENT, "u12");
  assert_error (f, CLIENT, "forbidden");

  admit (f, STAFF, "u12");
  g_assert_nonnull (sent (f, CLIENT, SAMTAL_MSG_ADMITTED));
  g_assert_nonnull (presence (f, STAFF, "admitted", "u12"));
  g_assert_null (presence (f, CLIENT, "admitted", "u12"));
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u12"));
  g_assert_true (audited (f, "u7", "meeting.admit"));
  admit (f, STAFF, "u12");
  assert_error (f, STAFF, "bad_state");
  admit (f, STAFF, "u99");
  assert_error (f, STAFF, "unknown_participant");
}

static void
test_negotiation (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  send (f, CLIENT, "{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":0}");
  assert_error (f, CLIENT, "bad_state");
  send_sdp (f, CLIENT, "offer", "v=0\r\nnot really\r\n");
  assert_error (f, CLIENT, "bad_sdp");
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  const SamtalRoomAction *a = action (f, SAMTAL_ROOM_RELAY_SDP, "u12");
  g_assert_nonnull (a);
  g_assert_cmpstr (a->text, ==, "offer");
  g_assert_cmpstr (a->sdp, ==, SAMPLE_OFFER);
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  assert_error (f, CLIENT, "bad_state");

  send (f, CLIENT, "{\"type\":\"ice\",\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 5000 typ host\","
                   "\"sdpMLineIndex\":1}");
  a = action (f, SAMTAL_ROOM_RELAY_ICE, "u12");
  g_assert_nonnull (a);
  g_assert_cmpuint (a->mline_index, ==, 1);

  reset (f);
  samtal_room_relay_description (f->room, "u12", "answer", "v=0 relay answer", NULL, f->out);
  g_assert_cmpstr (sent (f, CLIENT, SAMTAL_MSG_ANSWER)->sdp, ==, "v=0 relay answer");

  send_sdp (f, CLIENT, "answer", SAMPLE_ANSWER);
  assert_error (f, CLIENT, "bad_state");

  reset (f);
  g_autoptr (GPtrArray) tracks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_track_free);
  g_ptr_array_add (tracks, samtal_msg_track_new ("2", "u7", "audio"));
  g_ptr_array_add (tracks, samtal_msg_track_new ("3", "u7", "video"));
  samtal_room_relay_description (f->room, "u12", "offer", "v=0 relay offer", tracks, f->out);
  const SamtalMsg *offer = sent (f, CLIENT, SAMTAL_MSG_OFFER);
  g_assert_cmpuint (offer->tracks->len, ==, 2);
  g_assert_cmpstr (((SamtalMsgTrack *) offer->tracks->pdata[1])->kind, ==, "video");

  send_sdp (f, CLIENT, "answer", SAMPLE_ANSWER);
  a = action (f, SAMTAL_ROOM_RELAY_SDP, "u12");
  g_assert_cmpstr (a->text, ==, "answer");
  send_sdp (f, CLIENT, "answer", SAMPLE_ANSWER);
  assert_error (f, CLIENT, "bad_state");

  reset (f);
  samtal_room_relay_candidate (f->room, "u12", 0, "candidate:x", f->out);
  g_assert_cmpstr (sent (f, CLIENT, SAMTAL_MSG_ICE)->candidate, ==, "candidate:x");
  /* Events about participants that are gone are ignored. */
  reset (f);
  samtal_room_relay_candidate (f->room, "u99", 0, "candidate:x", f->out);
  samtal_room_relay_description (f->room, "u99", "offer", "v=0", NULL, f->out);
  g_assert_cmpuint (f->out->len, ==, 0);
}

static void
test_limits (Fixture *f, gconstpointer data)
{
  g_assert_true (join (f, STAFF, "u7", "caseworker"));
  for (guint i = 0; i < 6; i++) {
    g_autofree char *pid = g_strdup_printf ("g%u", i);
    g_assert_true (join (f, 10 + i, pid, "guest"));
    if (i < 5) {
      admit (f, STAFF, pid);
      g_assert_nonnull (sent (f, 10 + i, SAMTAL_MSG_ADMITTED));
    }
  }
  g_assert_cmpuint (samtal_room_n_admitted (f->room), ==, 6);
  admit (f, STAFF, "g5");
  assert_error (f, STAFF, "room_full");
  g_assert_null (sent (f, 15, SAMTAL_MSG_ADMITTED));

  /* Staff joining a full meeting waits, with a clear error. */
  g_assert_true (join (f, 20, "u8", "officer"));
  g_assert_cmpstr (sent (f, 20, SAMTAL_MSG_JOINED)->state, ==, "waiting");
  assert_error (f, 20, "room_full");
  g_assert_null (action (f, SAMTAL_ROOM_RELAY_ADD, "u8"));

  /* Up to 16 connections; the 17th is refused and closed. */
  for (guint i = 0; i < 8; i++) {
    g_autofree char *pid = g_strdup_printf ("g%u", 100 + i);
    g_assert_true (join (f, 30 + i, pid, "guest"));
  }
  g_assert_cmpuint (samtal_room_n_connected (f->room), ==, 16);
  g_assert_false (join (f, 50, "g200", "guest"));
  assert_error (f, 50, "room_full");
  g_assert_cmpuint (closed (f, 50), ==, SAMTAL_CLOSE_FULL);

  /* Someone leaves: the waiting staff member gets the place at once; then one more leaves and
   * g5 can be admitted. */
  send (f, 10, "{\"type\":\"leave\"}");
  g_assert_nonnull (sent (f, 20, SAMTAL_MSG_ADMITTED));
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u8"));
  g_assert_null (sent (f, 15, SAMTAL_MSG_ADMITTED));
  admit (f, STAFF, "g5");
  assert_error (f, STAFF, "room_full");
  send (f, 11, "{\"type\":\"leave\"}");
  admit (f, STAFF, "g5");
  g_assert_nonnull (sent (f, 15, SAMTAL_MSG_ADMITTED));
}

static void
test_rejoin_replaces (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  g_assert_true (join (f, 7, "u12", "client"));
  g_assert_cmpuint (closed (f, CLIENT), ==, SAMTAL_CLOSE_REPLACED);
  g_assert_cmpstr (sent (f, 7, SAMTAL_MSG_JOINED)->state, ==, "admitted");
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_REMOVE, "u12"));
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u12"));
  g_assert_null (presence (f, STAFF, "left", "u12"));
  g_assert_cmpuint (samtal_room_n_connected (f->room), ==, 2);
  /* The old connection's late close and frames do nothing. */
  reset (f);
  samtal_room_disconnect (f->room, CLIENT, f->out);
  send (f, CLIENT, "{\"type\":\"ping\"}");
  g_assert_cmpuint (f->out->len, ==, 0);
  /* The new connection may offer afresh. */
  send_sdp (f, 7, "offer", SAMPLE_OFFER);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_SDP, "u12"));
  g_assert_cmpstr (samtal_room_participant_on (f->room, 7), ==, "u12");
}

static void
test_remove_leave_disconnect (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  g_assert_true (join (f, INTERP, "g3", "interpreter"));
  send (f, CLIENT, "{\"type\":\"remove\",\"participant_id\":\"g3\"}");
  assert_error (f, CLIENT, "forbidden");
  send (f, STAFF, "{\"type\":\"remove\",\"participant_id\":\"nobody\"}");
  assert_error (f, STAFF, "unknown_participant");

  send (f, STAFF, "{\"type\":\"remove\",\"participant_id\":\"u12\"}");
  g_assert_nonnull (sent (f, CLIENT, SAMTAL_MSG_REMOVED));
  g_assert_cmpuint (closed (f, CLIENT), ==, SAMTAL_CLOSE_REMOVED);
  g_assert_nonnull (presence (f, STAFF, "removed", "u12"));
  g_assert_nonnull (presence (f, INTERP, "removed", "u12"));
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_REMOVE, "u12"));
  g_assert_true (audited (f, "u7", "meeting.remove"));

  send (f, INTERP, "{\"type\":\"leave\"}");
  g_assert_cmpuint (closed (f, INTERP), ==, SAMTAL_CLOSE_NORMAL);
  g_assert_nonnull (presence (f, STAFF, "left", "g3"));
  g_assert_true (audited (f, "g3", "meeting.leave"));
  g_assert_null (action (f, SAMTAL_ROOM_RELAY_REMOVE, "g3")); /* never admitted */

  g_assert_true (join (f, 9, "u12", "client"));
  reset (f);
  samtal_room_disconnect (f->room, 9, f->out);
  g_assert_nonnull (presence (f, STAFF, "left", "u12"));
  g_assert_true (audited (f, "u12", "meeting.leave"));
  g_assert_cmpuint (samtal_room_n_connected (f->room), ==, 1);
}

static void
test_mute_and_ping (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  send (f, CLIENT, "{\"type\":\"mute\",\"kind\":\"video\",\"muted\":true}");
  const SamtalMsg *p = presence (f, STAFF, "muted", "u12");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->kind, ==, "video");
  g_assert_true (p->participant->video_muted);
  g_assert_false (p->participant->audio_muted);
  send (f, CLIENT, "{\"type\":\"mute\",\"kind\":\"video\",\"muted\":true}");
  g_assert_cmpuint (f->out->len, ==, 0);
  send (f, CLIENT, "{\"type\":\"mute\",\"kind\":\"video\",\"muted\":false}");
  g_assert_nonnull (presence (f, STAFF, "unmuted", "u12"));
  send (f, CLIENT, "{\"type\":\"ping\"}");
  g_assert_nonnull (sent (f, CLIENT, SAMTAL_MSG_PONG));
  reset (f);
  g_autoptr (SamtalMsg) j = samtal_msg_new (SAMTAL_MSG_JOIN);
  j->token = g_strdup ("x");
  samtal_room_handle (f->room, CLIENT, j, NOW, f->out);
  assert_error (f, CLIENT, "already_joined");
}

static void
test_media_failure (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  reset (f);
  samtal_room_relay_failed (f->room, "u12", "ICE failed", f->out);
  g_assert_cmpstr (sent (f, CLIENT, SAMTAL_MSG_MEDIA_FAILED)->reason, ==, "ICE failed");
  g_assert_nonnull (presence (f, STAFF, "media_failed", "u12"));
  g_assert_null (closed (f, CLIENT) ? "closed" : NULL);
  /* Events for its old media are ignored; a fresh offer re-adds it to the relay. */
  reset (f);
  samtal_room_relay_candidate (f->room, "u12", 0, "candidate:x", f->out);
  g_assert_cmpuint (f->out->len, ==, 0);
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u12"));
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_SDP, "u12"));
  /* The staff member's media is untouched. */
  g_assert_null (action (f, SAMTAL_ROOM_RELAY_REMOVE, "u7"));
}

static void
test_relay_refused (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  reset (f);
  samtal_room_relay_refused (f->room, "u12", SAMTAL_ROOM_RELAY_ADD, NULL, SAMTAL_ERR_MEDIA,
                             "room full", f->out);
  assert_error (f, CLIENT, "media_error");
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_ADD, "u12"));
  reset (f);
  samtal_room_relay_refused (f->room, "u12", SAMTAL_ROOM_RELAY_SDP, "offer", SAMTAL_ERR_BAD_SDP,
                             "no codecs", f->out);
  assert_error (f, CLIENT, "bad_sdp");
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_REMOVE, "u12"));
  send_sdp (f, CLIENT, "offer", SAMPLE_OFFER);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_SDP, "u12"));
}

static void
test_end_by_staff (Fixture *f, gconstpointer data)
{
  staff_and_client (f, FALSE);
  send (f, CLIENT, "{\"type\":\"end\"}");
  assert_error (f, CLIENT, "forbidden");
  g_assert_false (samtal_room_is_ended (f->room));
  send (f, STAFF, "{\"type\":\"end\"}");
  g_assert_cmpstr (sent (f, CLIENT, SAMTAL_MSG_ENDED)->reason, ==, "ended by staff");
  g_assert_nonnull (sent (f, STAFF, SAMTAL_MSG_ENDED));
  g_assert_cmpuint (closed (f, CLIENT), ==, SAMTAL_CLOSE_ENDED);
  g_assert_cmpuint (closed (f, STAFF), ==, SAMTAL_CLOSE_ENDED);
  g_assert_nonnull (action (f, SAMTAL_ROOM_RELAY_DESTROY, NULL));
  g_assert_true (audited (f, "u7", "meeting.end"));
  g_assert_true (samtal_room_is_ended (f->room));
  g_assert_cmpuint (samtal_room_n_connected (f->room), ==, 0);
  g_assert_false (join (f, 5, "u12", "client"));
  assert_error (f, 5, "meeting_closed");
  g_assert_cmpuint (closed (f, 5), ==, SAMTAL_CLOSE_REFUSED);
}

static void
test_end_by_time (Fixture *f, gconstpointer data)
{
  staff_and_client (f, TRUE);
  reset (f);
  samtal_room_tick (f->room, ENDS + 1799, f->out);
  g_assert_cmpuint (f->out->len, ==, 0);
  samtal_room_tick (f->room, ENDS + 1800, f->out);
  g_assert_cmpstr (sent (f, CLIENT, SAMTAL_MSG_ENDED)->reason, ==, "meeting time is over");
  g_assert_true (audited (f, "system", "meeting.end"));
  g_assert_true (samtal_room_is_ended (f->room));
  reset (f);
  samtal_room_tick (f->room, ENDS + 4000, f->out);
  g_assert_cmpuint (f->out->len, ==, 0);
}

static void
test_join_after_window (Fixture *f, gconstpointer data)
{
  reset (f);
  SamtalRoomWho who = { "u7", "Karin", "caseworker" };
  g_assert_false (samtal_room_join (f->room, STAFF, &who, ENDS + 1800, f->out));
  assert_error (f, STAFF, "meeting_closed");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/signaling/room/staff-in-at-once", test_staff_in_at_once);
  ADD ("/signaling/room/waiting-room", test_waiting_room);
  ADD ("/signaling/room/negotiation", test_negotiation);
  ADD ("/signaling/room/limits", test_limits);
  ADD ("/signaling/room/rejoin-replaces", test_rejoin_replaces);
  ADD ("/signaling/room/remove-leave-disconnect", test_remove_leave_disconnect);
  ADD ("/signaling/room/mute-and-ping", test_mute_and_ping);
  ADD ("/signaling/room/media-failure", test_media_failure);
  ADD ("/signaling/room/relay-refused", test_relay_refused);
  ADD ("/signaling/room/end-by-staff", test_end_by_staff);
  ADD ("/signaling/room/end-by-time", test_end_by_time);
  ADD ("/signaling/room/join-after-window", test_join_after_window);
  return g_test_run ();
}
