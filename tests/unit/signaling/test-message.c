/* Unit tests for signaling messages: every type round-trips, and every validation rule refuses
 * what it should with the right error code. */
#include "message.h"

#include <string.h>

static SamtalMsg *
parse (const char *text, SamtalMsgDirection dir, GError **error)
{
  return samtal_msg_parse (text, strlen (text), dir, error);
}

static void
assert_refused (const char *text, SamtalMsgDirection dir, SamtalMsgParseError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) m = parse (text, dir, &error);
  if (m != NULL)
    g_error ("accepted: %s", text);
  g_assert_error (error, SAMTAL_MSG_PARSE_ERROR, (gint) code);
}

/* Serialise → parse → serialise gives the same text. */
static void
assert_round_trip (const SamtalMsg *m, SamtalMsgDirection dir)
{
  g_autofree char *text = samtal_msg_serialize (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) back = parse (text, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (back->type, ==, m->type);
  g_autofree char *again = samtal_msg_serialize (back);
  g_assert_cmpstr (text, ==, again);
  g_autoptr (SamtalMsg) copy = samtal_msg_copy (back);
  g_autofree char *copied = samtal_msg_serialize (copy);
  g_assert_cmpstr (text, ==, copied);
}

static void
test_client_messages (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalMsg) join =
    parse ("{\"type\":\"join\",\"token\":\"st1.abc.def\",\"meeting_id\":42,\"extra\":[1,2]}",
           SAMTAL_MSG_FROM_CLIENT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (join->type, ==, SAMTAL_MSG_JOIN);
  g_assert_cmpstr (join->token, ==, "st1.abc.def");
  g_assert_cmpint (join->meeting_id, ==, 42);
  assert_round_trip (join, SAMTAL_MSG_FROM_CLIENT);

  g_autoptr (SamtalMsg) ice = parse ("{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":0,"
                                     "\"sdpMid\":\"0\"}", SAMTAL_MSG_FROM_CLIENT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ice->candidate, ==, "");
  g_assert_cmpstr (ice->mid, ==, "0");
  assert_round_trip (ice, SAMTAL_MSG_FROM_CLIENT);

  g_autoptr (SamtalMsg) mute = parse ("{\"type\":\"mute\",\"kind\":\"video\",\"muted\":true}",
                                      SAMTAL_MSG_FROM_CLIENT, &error);
  g_assert_no_error (error);
  g_assert_true (mute->muted);
  g_assert_cmpstr (mute->kind, ==, "video");

  const char *simple[] = { "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}",
                           "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}",
                           "{\"type\":\"admit\",\"participant_id\":\"u12\"}",
                           "{\"type\":\"remove\",\"participant_id\":\"g3\"}",
                           "{\"type\":\"end\"}", "{\"type\":\"end\",\"reason\":\"done\"}",
                           "{\"type\":\"leave\"}", "{\"type\":\"ping\"}" };
  for (guint i = 0; i < G_N_ELEMENTS (simple); i++) {
    g_autoptr (GError) e = NULL;
    g_autoptr (SamtalMsg) m = parse (simple[i], SAMTAL_MSG_FROM_CLIENT, &e);
    g_assert_no_error (e);
    assert_round_trip (m, SAMTAL_MSG_FROM_CLIENT);
  }
}

static void
test_server_messages (void)
{
  g_autoptr (SamtalMsg) joined = samtal_msg_new (SAMTAL_MSG_JOINED);
  joined->meeting_id = 42;
  joined->participant_id = g_strdup ("u12");
  joined->role = g_strdup ("client");
  joined->state = g_strdup ("waiting");
  joined->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_participant_free);
  SamtalMsgParticipant *p = samtal_msg_participant_new ("u7", "Karin \"K\" Lund", "caseworker",
                                                        "admitted");
  p->video_muted = TRUE;
  g_ptr_array_add (joined->participants, p);
  assert_round_trip (joined, SAMTAL_MSG_FROM_SERVER);

  g_autoptr (SamtalMsg) presence = samtal_msg_new (SAMTAL_MSG_PRESENCE);
  presence->event = g_strdup ("muted");
  presence->kind = g_strdup ("audio");
  presence->participant = samtal_msg_participant_new ("g3", "Tolk", "interpreter", "admitted");
  assert_round_trip (presence, SAMTAL_MSG_FROM_SERVER);

  g_autoptr (SamtalMsg) offer = samtal_msg_new (SAMTAL_MSG_OFFER);
  offer->sdp = g_strdup ("v=0\r\n");
  offer->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_track_free);
  g_ptr_array_add (offer->tracks, samtal_msg_track_new ("2", "u7", "video"));
  assert_round_trip (offer, SAMTAL_MSG_FROM_SERVER);

  g_autoptr (SamtalMsg) err = samtal_msg_new_error (SAMTAL_ERR_BAD_SDP, "nope", "offer", TRUE);
  assert_round_trip (err, SAMTAL_MSG_FROM_SERVER);

  /* Long free text is cut on a character boundary so that the message still parses. */
  GString *long_text = g_string_new ("x");
  for (int i = 0; i < 400; i++)
    g_string_append (long_text, "å");
  g_autoptr (SamtalMsg) long_err = samtal_msg_new_error ("internal", long_text->str, NULL, FALSE);
  g_string_free (long_text, TRUE);
  g_autofree char *long_json = samtal_msg_serialize (long_err);
  g_autoptr (SamtalMsg) long_back = samtal_msg_parse (long_json, strlen (long_json),
                                                      SAMTAL_MSG_FROM_SERVER, NULL);
  g_assert_nonnull (long_back);
  g_assert_cmpuint (strlen (long_back->message), ==, SAMTAL_MSG_MAX_TEXT - 1);

  SamtalMsgType plain[] = { SAMTAL_MSG_ADMITTED, SAMTAL_MSG_PONG };
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++) {
    g_autoptr (SamtalMsg) m = samtal_msg_new (plain[i]);
    assert_round_trip (m, SAMTAL_MSG_FROM_SERVER);
  }
  SamtalMsgType reasoned[] = { SAMTAL_MSG_REMOVED, SAMTAL_MSG_ENDED, SAMTAL_MSG_MEDIA_FAILED };
  for (guint i = 0; i < G_N_ELEMENTS (reasoned); i++) {
    g_autoptr (SamtalMsg) m = samtal_msg_new (reasoned[i]);
    m->reason = g_strdup ("why");
    assert_round_trip (m, SAMTAL_MSG_FROM_SERVER);
  }
}

static void
test_bad_text (void)
{
  assert_refused ("", SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  assert_refused ("{\"type\":", SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  assert_refused ("{\"type\":\"ping\"} trailing", SAMTAL_MSG_FROM_CLIENT,
                  SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  assert_refused ("{\"type\":\"ping\",\"x\":\"\xff\xfe\"}", SAMTAL_MSG_FROM_CLIENT,
                  SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  g_autoptr (GError) error = NULL;
  const char with_nul[] = "{\"type\":\"ping\"}\0";
  g_assert_null (samtal_msg_parse (with_nul, sizeof with_nul - 1, SAMTAL_MSG_FROM_CLIENT, &error));
  g_assert_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  g_assert_cmpstr (samtal_msg_error_wire_code (error), ==, "bad_json");

  GString *deep = g_string_new ("{\"type\":\"ping\",\"x\":");
  for (int i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  assert_refused (deep->str, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  g_string_free (deep, TRUE);
  /* Depth 8 is fine, 9 is not; siblings do not add up. */
  g_autoptr (SamtalMsg) eight = parse ("{\"type\":\"ping\",\"x\":[[[[[[[1]]]]]]],\"y\":[{},{},{},{}]}",
                                       SAMTAL_MSG_FROM_CLIENT, NULL);
  g_assert_nonnull (eight);
  assert_refused ("{\"type\":\"ping\",\"x\":[[[[[[[[1]]]]]]]]}", SAMTAL_MSG_FROM_CLIENT,
                  SAMTAL_MSG_PARSE_ERROR_BAD_JSON);
  /* Brackets inside strings do not count as nesting. */
  g_autoptr (SamtalMsg) ok = parse ("{\"type\":\"ping\",\"x\":\"[[[[[[[[[[[[[[[[[[\\\"[[[[[\"}",
                                    SAMTAL_MSG_FROM_CLIENT, NULL);
  g_assert_nonnull (ok);
}

static void
test_limits (void)
{
  /* Whole message: 64 KiB. */
  g_autofree char *pad = g_strnfill (SAMTAL_MSG_MAX_BYTES, 'a');
  g_autofree char *big = g_strdup_printf ("{\"type\":\"ping\",\"x\":\"%s\"}", pad);
  assert_refused (big, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_TOO_LARGE);
  g_autoptr (GError) error = NULL;
  g_assert_null (parse (big, SAMTAL_MSG_FROM_CLIENT, &error));
  g_assert_cmpstr (samtal_msg_error_wire_code (error), ==, "too_large");

  /* SDP: 32 KiB accepted, one more byte refused. */
  g_autofree char *sdp_max = g_strnfill (SAMTAL_MSG_MAX_SDP, 'v');
  g_autofree char *offer_ok = g_strdup_printf ("{\"type\":\"offer\",\"sdp\":\"%s\"}", sdp_max);
  g_autoptr (SamtalMsg) m = parse (offer_ok, SAMTAL_MSG_FROM_CLIENT, NULL);
  g_assert_nonnull (m);
  g_autofree char *sdp_over = g_strnfill (SAMTAL_MSG_MAX_SDP + 1, 'v');
  g_autofree char *offer_bad = g_strdup_printf ("{\"type\":\"offer\",\"sdp\":\"%s\"}", sdp_over);
  assert_refused (offer_bad, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);

  g_autofree char *cand = g_strnfill (SAMTAL_MSG_MAX_CANDIDATE + 1, 'c');
  g_autofree char *ice = g_strdup_printf ("{\"type\":\"ice\",\"candidate\":\"%s\","
                                          "\"sdpMLineIndex\":0}", cand);
  assert_refused (ice, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);

  g_autofree char *tok = g_strnfill (SAMTAL_MSG_MAX_TOKEN + 1, 't');
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"token\":\"%s\"}", tok);
  assert_refused (join, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);

  g_autofree char *id = g_strnfill (SAMTAL_MSG_MAX_ID + 1, 'u');
  g_autofree char *admit = g_strdup_printf ("{\"type\":\"admit\",\"participant_id\":\"%s\"}", id);
  assert_refused (admit, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
}

static void
test_bad_fields (void)
{
  const SamtalMsgDirection C = SAMTAL_MSG_FROM_CLIENT;
  assert_refused ("[1,2]", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("\"join\"", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":5}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"dance\"}", C, SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE);
  assert_refused ("{\"type\":\"joined\"}", C, SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE);
  assert_refused ("{\"type\":\"join\"}", SAMTAL_MSG_FROM_SERVER, SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE);
  assert_refused ("{\"type\":\"join\"}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"join\",\"token\":\"\"}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"join\",\"token\":7}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"join\",\"token\":\"x\",\"meeting_id\":\"42\"}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"join\",\"token\":\"x\",\"meeting_id\":1.5}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"offer\"}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"offer\",\"sdp\":{}}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"ice\",\"candidate\":\"c\"}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":64}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":-1}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"ice\",\"candidate\":null,\"sdpMLineIndex\":0}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"admit\",\"participant_id\":\"u 1\"}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"admit\",\"participant_id\":\"\"}", C, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"mute\",\"kind\":\"screen\",\"muted\":true}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"mute\",\"kind\":\"audio\",\"muted\":1}", C,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"presence\",\"event\":\"joined\"}", SAMTAL_MSG_FROM_SERVER,
                  SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  assert_refused ("{\"type\":\"joined\",\"meeting_id\":1,\"participant_id\":\"u1\",\"role\":\"king\","
                  "\"state\":\"waiting\"}", SAMTAL_MSG_FROM_SERVER, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
}

/* What the server sends may be larger than what it accepts: the relay's offers grow with churn. */
static void
test_server_limits (void)
{
  const SamtalMsgDirection S = SAMTAL_MSG_FROM_SERVER;
  g_autofree char *sdp = g_strnfill (SAMTAL_MSG_MAX_SERVER_SDP, 'v');
  g_autofree char *offer = g_strdup_printf ("{\"type\":\"offer\",\"sdp\":\"%s\",\"tracks\":[]}", sdp);
  g_autoptr (SamtalMsg) m = parse (offer, S, NULL);
  g_assert_nonnull (m);
  g_assert_cmpuint (strlen (m->sdp), ==, SAMTAL_MSG_MAX_SERVER_SDP);
  assert_refused (offer, SAMTAL_MSG_FROM_CLIENT, SAMTAL_MSG_PARSE_ERROR_TOO_LARGE);
  g_autofree char *sdp_over = g_strnfill (SAMTAL_MSG_MAX_SERVER_SDP + 1, 'v');
  g_autofree char *answer = g_strdup_printf ("{\"type\":\"answer\",\"sdp\":\"%s\"}", sdp_over);
  assert_refused (answer, S, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
  g_autofree char *pad = g_strnfill (SAMTAL_MSG_MAX_SERVER_BYTES, 'a');
  g_autofree char *big = g_strdup_printf ("{\"type\":\"pong\",\"x\":\"%s\"}", pad);
  assert_refused (big, S, SAMTAL_MSG_PARSE_ERROR_TOO_LARGE);

  g_autofree char *ice_hi = g_strdup_printf ("{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":%d}",
                                             SAMTAL_MSG_MAX_SERVER_MLINE_INDEX);
  g_autoptr (SamtalMsg) ice = parse (ice_hi, S, NULL);
  g_assert_nonnull (ice);
  g_assert_cmpint (ice->mline_index, ==, SAMTAL_MSG_MAX_SERVER_MLINE_INDEX);
  /* Answers mirror the relay's offers, so clients may use the same m-line indexes. */
  g_assert_cmpint (SAMTAL_MSG_MAX_MLINE_INDEX, ==, SAMTAL_MSG_MAX_SERVER_MLINE_INDEX);
  g_autofree char *ice_over = g_strdup_printf ("{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":%d}",
                                               SAMTAL_MSG_MAX_SERVER_MLINE_INDEX + 1);
  assert_refused (ice_over, S, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
}

/* Display names: the server takes 200 characters (up to 800 bytes), all of which parse; a longer
 * name is cut on a character boundary when serialised, so that it still parses. */
static void
test_names (void)
{
  GString *name = g_string_new (NULL);
  for (int i = 0; i < 200; i++)
    g_string_append_unichar (name, 0x1F600);   /* 4 bytes each */
  g_autoptr (SamtalMsg) presence = samtal_msg_new (SAMTAL_MSG_PRESENCE);
  presence->event = g_strdup ("joined");
  presence->participant = samtal_msg_participant_new ("u7", name->str, "caseworker", "waiting");
  assert_round_trip (presence, SAMTAL_MSG_FROM_SERVER);

  g_string_prepend (name, "x");
  g_free (presence->participant->name);
  presence->participant->name = g_string_free (name, FALSE);
  g_autofree char *text = samtal_msg_serialize (presence);
  g_autoptr (SamtalMsg) back = parse (text, SAMTAL_MSG_FROM_SERVER, NULL);
  g_assert_nonnull (back);
  g_assert_cmpuint (strlen (back->participant->name), ==, SAMTAL_MSG_MAX_NAME - 3);
  g_assert_true (g_utf8_validate (back->participant->name, -1, NULL));

  g_autofree char *too_long = g_strnfill (SAMTAL_MSG_MAX_NAME + 1, 'n');
  g_autofree char *bad = g_strdup_printf (
    "{\"type\":\"presence\",\"event\":\"left\",\"participant\":{\"participant_id\":\"u7\","
    "\"name\":\"%s\",\"role\":\"client\",\"state\":\"waiting\"}}", too_long);
  assert_refused (bad, SAMTAL_MSG_FROM_SERVER, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE);
}

/* The constructors build what the other side parses. */
static void
test_constructors (void)
{
  g_autoptr (SamtalMsg) join = samtal_msg_new_join ("st1.a.b", 42);
  g_autofree char *join_text = samtal_msg_serialize (join);
  g_assert_cmpstr (join_text, ==, "{\"type\":\"join\",\"token\":\"st1.a.b\",\"meeting_id\":42}");
  assert_round_trip (join, SAMTAL_MSG_FROM_CLIENT);
  g_autoptr (SamtalMsg) join0 = samtal_msg_new_join ("t", 0);
  g_autofree char *join0_text = samtal_msg_serialize (join0);
  g_assert_cmpstr (join0_text, ==, "{\"type\":\"join\",\"token\":\"t\"}");

  g_autoptr (SamtalMsg) offer = samtal_msg_new_sdp (SAMTAL_MSG_OFFER, "v=0\r\n");
  assert_round_trip (offer, SAMTAL_MSG_FROM_CLIENT);
  g_autoptr (SamtalMsg) answer = samtal_msg_new_sdp (SAMTAL_MSG_ANSWER, "v=0\r\n");
  assert_round_trip (answer, SAMTAL_MSG_FROM_SERVER);

  g_autoptr (SamtalMsg) ice = samtal_msg_new_ice ("candidate:1 1 UDP 1 127.0.0.1 9 typ host", 0, "0");
  assert_round_trip (ice, SAMTAL_MSG_FROM_CLIENT);
  g_autoptr (SamtalMsg) end = samtal_msg_new_ice (NULL, 1, NULL);
  g_autofree char *end_text = samtal_msg_serialize (end);
  g_assert_cmpstr (end_text, ==, "{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":1}");

  g_autoptr (SamtalMsg) admit = samtal_msg_new_for_participant (SAMTAL_MSG_ADMIT, "g3");
  g_autofree char *admit_text = samtal_msg_serialize (admit);
  g_assert_cmpstr (admit_text, ==, "{\"type\":\"admit\",\"participant_id\":\"g3\"}");
  g_autoptr (SamtalMsg) remove = samtal_msg_new_for_participant (SAMTAL_MSG_REMOVE, "u12");
  assert_round_trip (remove, SAMTAL_MSG_FROM_CLIENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/signaling/message/client", test_client_messages);
  g_test_add_func ("/signaling/message/server", test_server_messages);
  g_test_add_func ("/signaling/message/bad-text", test_bad_text);
  g_test_add_func ("/signaling/message/limits", test_limits);
  g_test_add_func ("/signaling/message/bad-fields", test_bad_fields);
  g_test_add_func ("/signaling/message/server-limits", test_server_limits);
  g_test_add_func ("/signaling/message/names", test_names);
  g_test_add_func ("/signaling/message/constructors", test_constructors);
  return g_test_run ();
}
