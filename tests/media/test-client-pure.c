/* test-client-pure.c — unit tests of samtal-client's pure parts: option parsing, the WebSocket
 * URL, the roster (participants, presence, the relay's track map, frame attribution,
 * --expect-frames) fed from server messages parsed by signaling/message.c as session.c does, the
 * server messages the client refuses, the messages it sends, and the JSON statistics lines.
 * No sockets, no GStreamer.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "message.h"
#include "options.h"
#include "roster.h"

static SamtalClientOptions *
parse (const char *line, const char *env_token, GError **error)
{
  g_auto (GStrv) argv = g_strsplit (line, " ", -1);
  return samtal_client_options_parse ((int) g_strv_length (argv), argv, env_token, error);
}

static void
test_options_full (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalClientOptions) o = parse (
    "samtal-client join --server http://127.0.0.1:8080 --token st1.a.b --expect-frames 60 "
    "--timeout 45 --video none --audio test --auto-admit --ice-address 127.0.0.1 "
    "--ice-address ::1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o->ws_url, ==, "ws://127.0.0.1:8080/ws");
  g_assert_cmpstr (o->token, ==, "st1.a.b");
  g_assert_cmpuint (o->expect_frames, ==, 60);
  g_assert_cmpuint (o->timeout_s, ==, 45);
  g_assert_true (o->timeout_given);
  g_assert_cmpint (o->video, ==, SAMTAL_CLIENT_SOURCE_NONE);
  g_assert_cmpint (o->audio, ==, SAMTAL_CLIENT_SOURCE_TEST);
  g_assert_true (o->auto_admit);
  g_assert_false (o->insecure);
  g_assert_cmpuint (g_strv_length (o->ice_addresses), ==, 2);
  g_assert_cmpstr (o->ice_addresses[1], ==, "::1");
}

static void
test_options_defaults (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalClientOptions) o = parse ("samtal-client join --server https://m.example.se",
                                             "st1.env.token", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o->ws_url, ==, "wss://m.example.se/ws");
  g_assert_cmpstr (o->token, ==, "st1.env.token");
  g_assert_cmpuint (o->timeout_s, ==, SAMTAL_CLIENT_DEFAULT_TIMEOUT_S);
  g_assert_false (o->timeout_given);
  g_assert_cmpuint (o->expect_frames, ==, 0);
  g_assert_cmpint (o->video, ==, SAMTAL_CLIENT_SOURCE_TEST);
  g_assert_cmpint (o->audio, ==, SAMTAL_CLIENT_SOURCE_TEST);
  g_assert_nonnull (o->ice_addresses);
  g_assert_null (o->ice_addresses[0]);
  g_assert_cmpuint (o->stats_interval_ms, ==, 1000);
  g_assert_cmpint (o->video_codec, ==, SAMTAL_CLIENT_CODEC_VP8);
  g_assert_cmpuint (o->accept_video, ==, SAMTAL_CLIENT_CODECS_ALL);
}

static void
test_options_codecs (void)
{
  struct { const char *args; SamtalClientCodec send; guint accept; } cases[] = {
    { "--video-codec h264", SAMTAL_CLIENT_CODEC_H264, SAMTAL_CLIENT_CODECS_ALL },
    { "--video-codec H264", SAMTAL_CLIENT_CODEC_H264, SAMTAL_CLIENT_CODECS_ALL },
    { "--video-codec vp8", SAMTAL_CLIENT_CODEC_VP8, SAMTAL_CLIENT_CODECS_ALL },
    { "--video-codec=h264 --accept-video vp8", SAMTAL_CLIENT_CODEC_H264, SAMTAL_CLIENT_CODEC_VP8 },
    { "--accept-video h264", SAMTAL_CLIENT_CODEC_VP8, SAMTAL_CLIENT_CODEC_H264 },
    { "--accept-video h264,vp8", SAMTAL_CLIENT_CODEC_VP8, SAMTAL_CLIENT_CODECS_ALL },
    { "--accept-video vp8,vp8", SAMTAL_CLIENT_CODEC_VP8, SAMTAL_CLIENT_CODEC_VP8 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *line = g_strdup_printf ("samtal-client join --server http://x --token t %s",
                                             cases[i].args);
    g_autoptr (SamtalClientOptions) o = parse (line, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (o->video_codec, ==, cases[i].send);
    g_assert_cmpuint (o->accept_video, ==, cases[i].accept);
  }
  const char *bad[] = { "--video-codec vp9", "--video-codec", "--video-codec ''",
                        "--accept-video av1", "--accept-video vp8,", "--accept-video ,",
                        "--accept-video vp8,h264,vp9" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *line = g_strdup_printf ("samtal-client join --server http://x --token t %s",
                                             bad[i]);
    g_autoptr (SamtalClientOptions) o = parse (line, NULL, &error);
    g_assert_null (o);
    g_assert_error (error, SAMTAL_CLIENT_OPTIONS_ERROR, SAMTAL_CLIENT_OPTIONS_ERROR_USAGE);
    g_test_message ("%s: %s", bad[i], error->message);
  }
}

static void
test_options_camera_insecure (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalClientOptions) o = parse (
    "samtal-client join --server https://127.0.0.1:8443/ --token t --camera --insecure", NULL,
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (o->video, ==, SAMTAL_CLIENT_SOURCE_CAMERA);
  g_assert_true (o->insecure);
  g_assert_cmpstr (o->ws_url, ==, "wss://127.0.0.1:8443/ws");
}

static void
test_options_refused (void)
{
  const char *bad[] = {
    "samtal-client",
    "samtal-client leave --server http://x --token t",
    "samtal-client join --token t",
    "samtal-client join --server ftp://x --token t",
    "samtal-client join --server notaurl --token t",
    "samtal-client join --server http://x",
    "samtal-client join --server http://x --token t --video hd",
    "samtal-client join --server http://x --token t --audio loud",
    "samtal-client join --server http://x --token t --timeout 0",
    "samtal-client join --server http://x --token t --timeout 100000",
    "samtal-client join --server http://x --token t --expect-frames -1",
    "samtal-client join --server http://x --token t --expect-frames many",
    "samtal-client join --server http://x --token t --ice-address localhost",
    "samtal-client join --server http://x --token t --stats-interval 5",
    "samtal-client join --server http://x --token t --bogus",
    "samtal-client join --server http://x --token t extra",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SamtalClientOptions) o = parse (bad[i], NULL, &error);
    g_assert_null (o);
    g_assert_error (error, SAMTAL_CLIENT_OPTIONS_ERROR, SAMTAL_CLIENT_OPTIONS_ERROR_USAGE);
    g_assert_nonnull (error->message);
  }
}

static void
test_ws_url (void)
{
  struct { const char *in, *out; } cases[] = {
    { "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws" },
    { "http://127.0.0.1:8080/", "ws://127.0.0.1:8080/ws" },
    { "https://samtal.example.se/app", "wss://samtal.example.se/ws" },
    { "ws://[::1]:9000/ws", "ws://[::1]:9000/ws" },
    { "wss://h/x/ws", "wss://h/x/ws" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *url = samtal_client_ws_url (cases[i].in, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (url, ==, cases[i].out);
  }
}

/* ---- the roster, fed as session.c feeds it: server text → samtal_msg_parse → roster ---- */

static SamtalMsg *
server_msg (const char *text)
{
  g_autoptr (GError) error = NULL;
  SamtalMsg *m = samtal_msg_parse (text, strlen (text), SAMTAL_MSG_FROM_SERVER, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static char *
person (const char *id, const char *name, const char *role, const char *state)
{
  return g_strdup_printf ("{\"participant_id\":\"%s\",\"name\":\"%s\",\"role\":\"%s\","
                          "\"state\":\"%s\",\"audio_muted\":false,\"video_muted\":false}",
                          id, name, role, state);
}

static SamtalMsg *
presence_msg (const char *event, const char *id, const char *role, const char *state)
{
  g_autofree char *p = person (id, id, role, state);
  g_autofree char *text = g_strdup_printf ("{\"type\":\"presence\",\"event\":\"%s\","
                                           "\"participant\":%s}", event, p);
  return server_msg (text);
}

/* As if in `joined.participants`. */
static void
add (SamtalRoster *r, const char *id, const char *role, const char *state)
{
  g_autoptr (SamtalMsg) m = presence_msg ("joined", id, role, state);
  g_assert_true (samtal_roster_update_participant (r, m->participant));
}

static void
presence (SamtalRoster *r, const char *event, const char *id, const char *state)
{
  g_autoptr (SamtalMsg) m = presence_msg (event, id, "guest", state);
  g_assert_true (samtal_roster_apply_presence (r, m->event, m->participant));
}

static void
test_roster_joined (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  g_autofree char *karin = person ("u7", "Karin Lund", "caseworker", "admitted");
  g_autofree char *tolk = person ("g3", "Tolk", "interpreter", "waiting");
  g_autofree char *text = g_strdup_printf (
    "{\"type\":\"joined\",\"meeting_id\":42,\"participant_id\":\"u12\",\"role\":\"client\","
    "\"state\":\"waiting\",\"participants\":[%s,%s],\"future\":{\"x\":1}}", karin, tolk);
  g_autoptr (SamtalMsg) joined = server_msg (text);
  samtal_roster_set_self (r, joined->participant_id);
  for (guint i = 0; i < joined->participants->len; i++)
    g_assert_true (samtal_roster_update_participant (r, joined->participants->pdata[i]));
  g_autoptr (GPtrArray) admitted = samtal_roster_remotes (r);
  g_assert_cmpuint (admitted->len, ==, 1);
  SamtalRemote *u7 = admitted->pdata[0];
  g_assert_cmpstr (u7->name, ==, "Karin Lund");
  g_assert_cmpstr (u7->role, ==, "caseworker");
  g_assert_nonnull (samtal_roster_find (r, "g3"));
  g_assert_false (samtal_roster_find (r, "g3")->admitted);
}

static void
test_roster_presence (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  samtal_roster_set_self (r, "u12");
  add (r, "u7", "caseworker", "admitted");
  add (r, "u12", "client", "admitted");
  presence (r, "joined", "g3", "waiting");
  g_autoptr (GPtrArray) admitted = samtal_roster_remotes (r);
  g_assert_cmpuint (admitted->len, ==, 1);   /* ourselves never, waiting ones not */
  g_assert_cmpstr (((SamtalRemote *) admitted->pdata[0])->participant_id, ==, "u7");
  presence (r, "admitted", "g3", "admitted");
  g_autoptr (GPtrArray) two = samtal_roster_remotes (r);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpstr (samtal_roster_find (r, "g3")->name, ==, "g3");
  presence (r, "left", "u7", "admitted");
  g_assert_null (samtal_roster_find (r, "u7"));
  /* nothing to apply is refused */
  g_autoptr (SamtalMsg) m = presence_msg ("joined", "g4", "guest", "waiting");
  g_assert_false (samtal_roster_update_participant (r, NULL));
  g_assert_false (samtal_roster_apply_presence (r, "joined", NULL));
  g_assert_false (samtal_roster_apply_presence (r, NULL, m->participant));
  g_assert_null (samtal_roster_find (r, "g4"));
}

static void
test_roster_full (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  for (guint i = 0; i < SAMTAL_ROSTER_MAX_PARTICIPANTS; i++) {
    g_autofree char *id = g_strdup_printf ("g%u", i);
    add (r, id, "guest", "waiting");
  }
  g_autoptr (SamtalMsg) m = presence_msg ("joined", "g999", "guest", "waiting");
  g_assert_false (samtal_roster_apply_presence (r, m->event, m->participant));
  g_assert_null (samtal_roster_find (r, "g999"));
}

/* The `tracks` of a relay offer (its SDP does not matter to the roster). */
static SamtalMsg *
offer_msg (const char *tracks_json)
{
  g_autofree char *text = g_strdup_printf ("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"%s%s}",
                                           tracks_json != NULL ? ",\"tracks\":" : "",
                                           tracks_json != NULL ? tracks_json : "");
  return server_msg (text);
}

static void
set_tracks (SamtalRoster *r, const char *tracks_json)
{
  g_autoptr (SamtalMsg) m = offer_msg (tracks_json);
  g_assert_cmpint (samtal_roster_set_tracks (r, m->tracks), >=, 0);
}

static void
test_roster_tracks (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  g_autoptr (SamtalMsg) offer = offer_msg (
    "[{\"mid\":\"2\",\"participant_id\":\"u7\",\"kind\":\"audio\"},"
    " {\"mid\":\"3\",\"participant_id\":\"u7\",\"kind\":\"video\"},"
    " {\"mid\":\"3\",\"participant_id\":\"g3\",\"kind\":\"video\"}]");
  g_assert_cmpint (samtal_roster_set_tracks (r, offer->tracks), ==, 2);   /* a later mid wins */
  const char *kind = NULL;
  g_assert_cmpstr (samtal_roster_lookup_mid (r, "3", &kind), ==, "g3");
  g_assert_cmpstr (kind, ==, "video");
  g_assert_cmpstr (samtal_roster_lookup_mid (r, "2", &kind), ==, "u7");
  g_assert_cmpstr (kind, ==, "audio");
  g_assert_null (samtal_roster_lookup_mid (r, "4", &kind));
  g_assert_null (kind);
  g_assert_null (samtal_roster_lookup_mid (r, NULL, NULL));
  /* an offer without tracks keeps the map; an empty list clears it */
  g_autoptr (SamtalMsg) bare = offer_msg (NULL);
  g_assert_null (bare->tracks);
  g_assert_cmpint (samtal_roster_set_tracks (r, bare->tracks), ==, -1);
  g_assert_cmpstr (samtal_roster_lookup_mid (r, "2", NULL), ==, "u7");
  g_autoptr (SamtalMsg) none = offer_msg ("[]");
  g_assert_cmpint (samtal_roster_set_tracks (r, none->tracks), ==, 0);
  g_assert_null (samtal_roster_lookup_mid (r, "2", NULL));
}

static void
test_roster_frames (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  samtal_roster_set_self (r, "u7");
  g_assert_false (samtal_roster_reached (r, 1));   /* nobody else: never reached */
  add (r, "u12", "client", "admitted");
  add (r, "g3", "interpreter", "admitted");
  set_tracks (r, "[{\"mid\":\"3\",\"participant_id\":\"u12\",\"kind\":\"video\"},"
                 " {\"mid\":\"5\",\"participant_id\":\"g3\",\"kind\":\"video\"}]");
  SamtalStreamSample s1[] = { { 1, "3", "video", 70, 7000, 2 }, { 2, "5", "video", 10, 900, -1 },
                              { 3, NULL, "video", 99, 10, 0 } };
  samtal_roster_account (r, s1, G_N_ELEMENTS (s1));
  g_assert_cmpuint (samtal_roster_find (r, "u12")->video_frames, ==, 70);
  g_assert_cmpint (samtal_roster_find (r, "u12")->packets_lost, ==, 2);
  g_assert_false (samtal_roster_reached (r, 60));
  SamtalStreamSample s2[] = { { 1, "3", "video", 75, 7500, 2 }, { 2, "5", "video", 61, 5000, 0 } };
  samtal_roster_account (r, s2, G_N_ELEMENTS (s2));
  g_assert_cmpuint (samtal_roster_find (r, "u12")->video_frames, ==, 75);   /* deltas, not sums */
  g_assert_cmpuint (samtal_roster_find (r, "g3")->video_frames, ==, 61);
  g_assert_true (samtal_roster_reached (r, 60));
  /* mid 5 recycled for a newcomer: its old count does not carry over */
  presence (r, "left", "g3", "admitted");
  add (r, "g9", "guest", "admitted");
  set_tracks (r, "[{\"mid\":\"3\",\"participant_id\":\"u12\",\"kind\":\"video\"},"
                 " {\"mid\":\"5\",\"participant_id\":\"g9\",\"kind\":\"video\"}]");
  SamtalStreamSample s3[] = { { 1, "3", "video", 80, 8000, 2 }, { 2, "5", "video", 64, 5300, 0 } };
  samtal_roster_account (r, s3, G_N_ELEMENTS (s3));
  g_assert_cmpuint (samtal_roster_find (r, "g9")->video_frames, ==, 3);
  g_assert_false (samtal_roster_reached (r, 60));
  /* g9 leaves early: no longer expected; u12 (80 frames) leaves too: it gave its 60 */
  presence (r, "left", "g9", "admitted");
  g_assert_true (samtal_roster_reached (r, 60));
  presence (r, "left", "u12", "admitted");
  g_assert_true (samtal_roster_reached (r, 60));
  g_assert_false (samtal_roster_reached (r, 100));
}

static void
test_roster_departed_early (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  add (r, "u12", "client", "admitted");
  presence (r, "left", "u12", "admitted");
  g_assert_false (samtal_roster_reached (r, 1));   /* left with nothing: not done */
}

/* What the client refuses from the server (session.c logs it and goes on): never trusted, never
 * a crash. A message with one bad entry is refused whole. */
static void
test_hostile_server_messages (void)
{
  const char *bad[] = {
    "", "{", "[]", "null", "{\"type\":7}", "{\"type\":\"dance\"}", "{\"type\":\"join\",\"token\":\"x\"}",
    "{\"type\":\"joined\"}",
    "{\"type\":\"joined\",\"meeting_id\":1,\"participant_id\":\"u1\",\"role\":\"client\"}",
    "{\"type\":\"joined\",\"meeting_id\":1,\"participant_id\":\"u 1\",\"role\":\"client\","
    "\"state\":\"waiting\"}",
    "{\"type\":\"joined\",\"meeting_id\":1,\"participant_id\":\"u1\",\"role\":\"client\","
    "\"state\":\"waiting\",\"participants\":[17]}",
    "{\"type\":\"presence\",\"event\":\"joined\"}",
    "{\"type\":\"presence\",\"event\":\"joined\",\"participant\":{\"participant_id\":42,"
    "\"name\":\"x\",\"role\":\"guest\",\"state\":\"admitted\"}}",
    "{\"type\":\"presence\",\"event\":\"danced\",\"participant\":{\"participant_id\":\"g1\","
    "\"name\":\"x\",\"role\":\"guest\",\"state\":\"admitted\"}}",
    "{\"type\":\"offer\"}", "{\"type\":\"offer\",\"sdp\":\"\"}",
    "{\"type\":\"offer\",\"sdp\":\"v=0\",\"tracks\":{\"mid\":\"1\"}}",
    "{\"type\":\"offer\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"4\",\"participant_id\":\"g3\","
    "\"kind\":\"data\"}]}",
    "{\"type\":\"offer\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":5,\"participant_id\":\"g3\","
    "\"kind\":\"video\"}]}",
    "{\"type\":\"offer\",\"sdp\":\"v=0\",\"tracks\":[17]}",
    "{\"type\":\"ice\",\"candidate\":\"c\"}",
    "{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":-1}",
    "{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":64}",
    "{\"type\":\"ice\",\"candidate\":\"c\",\"sdpMLineIndex\":1e99}",
    "{\"type\":\"error\",\"message\":\"no code\"}",
    "{\"type\":\"error\",\"code\":\"x\",\"fatal\":\"yes\"}",
    "{\"type\":\"ended\",\"reason\":5}",
    "{\"type\":\"pong\",\"x\":[[[[[[[[[1]]]]]]]]]}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SamtalMsg) m = samtal_msg_parse (bad[i], strlen (bad[i]), SAMTAL_MSG_FROM_SERVER,
                                                &error);
    if (m != NULL)
      g_error ("accepted: %s", bad[i]);
    g_assert_nonnull (error);
    g_assert_cmpuint (error->domain, ==, SAMTAL_MSG_PARSE_ERROR);
    g_assert_nonnull (samtal_msg_error_wire_code (error));
  }
  /* A long display name (the server takes 200 characters) still parses. */
  GString *name = g_string_new (NULL);
  for (int i = 0; i < 200; i++)
    g_string_append (name, "Å");
  g_autofree char *p = person ("u7", name->str, "caseworker", "admitted");
  g_string_free (name, TRUE);
  g_autofree char *text = g_strdup_printf ("{\"type\":\"presence\",\"event\":\"joined\","
                                           "\"participant\":%s}", p);
  g_autoptr (SamtalMsg) long_name = server_msg (text);
  g_assert_cmpuint (g_utf8_strlen (long_name->participant->name, -1), ==, 200);
}

/* What the client sends parses as the hub parses it. */
static void
test_client_sends (void)
{
  g_autoptr (GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_free);
  g_ptr_array_add (sent, samtal_msg_new_join ("st1.a.b", 0));
  g_ptr_array_add (sent, samtal_msg_new_sdp (SAMTAL_MSG_OFFER, "v=0\r\n"));
  g_ptr_array_add (sent, samtal_msg_new_sdp (SAMTAL_MSG_ANSWER, "v=0\r\n"));
  g_ptr_array_add (sent, samtal_msg_new_ice ("candidate:1 1 UDP 1 127.0.0.1 5000 typ host", 0,
                                             NULL));
  g_ptr_array_add (sent, samtal_msg_new_ice ("", 0, NULL));
  g_ptr_array_add (sent, samtal_msg_new_for_participant (SAMTAL_MSG_ADMIT, "g3"));
  g_ptr_array_add (sent, samtal_msg_new (SAMTAL_MSG_LEAVE));
  for (guint i = 0; i < sent->len; i++) {
    const SamtalMsg *m = sent->pdata[i];
    g_autofree char *text = samtal_msg_serialize (m);
    g_autoptr (GError) error = NULL;
    g_autoptr (SamtalMsg) back = samtal_msg_parse (text, strlen (text), SAMTAL_MSG_FROM_CLIENT,
                                                   &error);
    g_assert_no_error (error);
    g_assert_cmpint (back->type, ==, m->type);
  }
  g_autofree char *join = samtal_msg_serialize (sent->pdata[0]);
  g_assert_cmpstr (join, ==, "{\"type\":\"join\",\"token\":\"st1.a.b\"}");
  g_autofree char *ice = samtal_msg_serialize (sent->pdata[4]);
  g_assert_cmpstr (ice, ==, "{\"type\":\"ice\",\"candidate\":\"\",\"sdpMLineIndex\":0}");
}

static JsonObject *
object_from (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_stats_line (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  g_autoptr (SamtalMsg) ali = server_msg (
    "{\"type\":\"presence\",\"event\":\"joined\",\"participant\":{\"participant_id\":\"u12\","
    "\"name\":\"Ali \\\"A\\\" Hassan\",\"role\":\"client\",\"state\":\"admitted\"}}");
  g_assert_true (samtal_roster_update_participant (r, ali->participant));
  set_tracks (r, "[{\"mid\":\"1\",\"participant_id\":\"u12\",\"kind\":\"video\"}]");
  SamtalRemote *remote = samtal_roster_find (r, "u12");
  g_free (samtal_roster_stats_line (r, remote, 1000000, -1, 0));
  SamtalStreamSample s[] = { { 1, "1", "video", 30, 125000, 4 } };
  samtal_roster_account (r, s, 1);
  g_autofree char *line = samtal_roster_stats_line (r, remote, 2000000, 12.5, 1.0);
  g_assert_null (strchr (line, '\n'));
  JsonObject *o = object_from (line);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "stats");
  g_assert_cmpstr (json_object_get_string_member (o, "participant_id"), ==, "u12");
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Ali \"A\" Hassan");
  g_assert_cmpint (json_object_get_int_member (o, "frames_decoded"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (o, "packets_lost"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (o, "bitrate_kbps"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (o, "rtt_ms"), ==, 13);
  g_assert_cmpint (json_object_get_int_member (o, "elapsed_ms"), ==, 1000);
  json_object_unref (o);
  g_autofree char *unknown_rtt = samtal_roster_stats_line (r, remote, 3000000, -1, 2.0);
  o = object_from (unknown_rtt);
  g_assert_true (json_object_get_null_member (o, "rtt_ms"));
  g_assert_cmpint (json_object_get_int_member (o, "bitrate_kbps"), ==, 0);
  json_object_unref (o);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/options/full", test_options_full);
  g_test_add_func ("/client/options/defaults", test_options_defaults);
  g_test_add_func ("/client/options/camera-insecure", test_options_camera_insecure);
  g_test_add_func ("/client/options/codecs", test_options_codecs);
  g_test_add_func ("/client/options/refused", test_options_refused);
  g_test_add_func ("/client/options/ws-url", test_ws_url);
  g_test_add_func ("/client/roster/joined", test_roster_joined);
  g_test_add_func ("/client/roster/presence", test_roster_presence);
  g_test_add_func ("/client/roster/full", test_roster_full);
  g_test_add_func ("/client/roster/tracks", test_roster_tracks);
  g_test_add_func ("/client/roster/frames", test_roster_frames);
  g_test_add_func ("/client/roster/departed-early", test_roster_departed_early);
  g_test_add_func ("/client/roster/stats-line", test_stats_line);
  g_test_add_func ("/client/signaling/hostile-server-messages", test_hostile_server_messages);
  g_test_add_func ("/client/signaling/client-sends", test_client_sends);
  return g_test_run ();
}
