/* test-client-pure.c — unit tests of samtal-client's pure parts: option parsing, the WebSocket
 * URL, the roster (participants, presence, the relay's track map, frame attribution,
 * --expect-frames) and the JSON statistics lines. No sockets, no GStreamer.
 */
#include <json-glib/json-glib.h>
#include <string.h>

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

static JsonObject *
object_from (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonNode *
node_from (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static void
add (SamtalRoster *r, const char *json)
{
  JsonObject *o = object_from (json);
  g_assert_true (samtal_roster_update_participant (r, o));
  json_object_unref (o);
}

static void
presence (SamtalRoster *r, const char *event, const char *json)
{
  JsonObject *o = object_from (json);
  g_assert_true (samtal_roster_apply_presence (r, event, o));
  json_object_unref (o);
}

static void
test_roster_presence (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  samtal_roster_set_self (r, "u12");
  add (r, "{\"participant_id\":\"u7\",\"name\":\"Karin\",\"role\":\"caseworker\",\"state\":\"admitted\"}");
  add (r, "{\"participant_id\":\"u12\",\"name\":\"me\",\"state\":\"admitted\"}");
  presence (r, "joined", "{\"participant_id\":\"g3\",\"name\":\"Tolk\",\"role\":\"interpreter\",\"state\":\"waiting\"}");
  g_autoptr (GPtrArray) admitted = samtal_roster_remotes (r);
  g_assert_cmpuint (admitted->len, ==, 1);   /* ourselves never, waiting ones not */
  g_assert_cmpstr (((SamtalRemote *) admitted->pdata[0])->participant_id, ==, "u7");
  presence (r, "admitted", "{\"participant_id\":\"g3\",\"state\":\"admitted\"}");
  g_autoptr (GPtrArray) two = samtal_roster_remotes (r);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpstr (samtal_roster_find (r, "g3")->name, ==, "Tolk");
  presence (r, "left", "{\"participant_id\":\"u7\"}");
  g_assert_null (samtal_roster_find (r, "u7"));
  /* malformed input is refused, not trusted */
  JsonObject *bad = object_from ("{\"participant_id\":42,\"state\":\"admitted\"}");
  g_assert_false (samtal_roster_update_participant (r, bad));
  g_assert_false (samtal_roster_apply_presence (r, "joined", bad));
  g_assert_false (samtal_roster_apply_presence (r, NULL, bad));
  json_object_unref (bad);
}

static void
test_roster_tracks (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  g_autoptr (JsonNode) tracks = node_from (
    "[{\"mid\":\"2\",\"participant_id\":\"u7\",\"kind\":\"audio\"},"
    " {\"mid\":\"3\",\"participant_id\":\"u7\",\"kind\":\"video\"},"
    " {\"mid\":\"4\",\"participant_id\":\"g3\",\"kind\":\"data\"},"
    " {\"mid\":5,\"participant_id\":\"g3\",\"kind\":\"video\"}, 17]");
  g_assert_cmpint (samtal_roster_set_tracks (r, tracks), ==, 2);
  const char *kind = NULL;
  g_assert_cmpstr (samtal_roster_lookup_mid (r, "3", &kind), ==, "u7");
  g_assert_cmpstr (kind, ==, "video");
  g_assert_null (samtal_roster_lookup_mid (r, "4", &kind));
  g_assert_null (kind);
  g_assert_null (samtal_roster_lookup_mid (r, NULL, NULL));
  g_autoptr (JsonNode) not_array = node_from ("{\"mid\":\"1\"}");
  g_assert_cmpint (samtal_roster_set_tracks (r, not_array), ==, -1);
  g_assert_cmpint (samtal_roster_set_tracks (r, NULL), ==, -1);
}

static void
test_roster_frames (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  samtal_roster_set_self (r, "u7");
  g_assert_false (samtal_roster_reached (r, 1));   /* nobody else: never reached */
  add (r, "{\"participant_id\":\"u12\",\"state\":\"admitted\"}");
  add (r, "{\"participant_id\":\"g3\",\"state\":\"admitted\"}");
  g_autoptr (JsonNode) tracks = node_from (
    "[{\"mid\":\"3\",\"participant_id\":\"u12\",\"kind\":\"video\"},"
    " {\"mid\":\"5\",\"participant_id\":\"g3\",\"kind\":\"video\"}]");
  samtal_roster_set_tracks (r, tracks);
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
  presence (r, "left", "{\"participant_id\":\"g3\"}");
  add (r, "{\"participant_id\":\"g9\",\"state\":\"admitted\"}");
  g_autoptr (JsonNode) t2 = node_from (
    "[{\"mid\":\"3\",\"participant_id\":\"u12\",\"kind\":\"video\"},"
    " {\"mid\":\"5\",\"participant_id\":\"g9\",\"kind\":\"video\"}]");
  samtal_roster_set_tracks (r, t2);
  SamtalStreamSample s3[] = { { 1, "3", "video", 80, 8000, 2 }, { 2, "5", "video", 64, 5300, 0 } };
  samtal_roster_account (r, s3, G_N_ELEMENTS (s3));
  g_assert_cmpuint (samtal_roster_find (r, "g9")->video_frames, ==, 3);
  g_assert_false (samtal_roster_reached (r, 60));
  /* g9 leaves early: no longer expected; u12 (80 frames) leaves too: it gave its 60 */
  presence (r, "left", "{\"participant_id\":\"g9\"}");
  g_assert_true (samtal_roster_reached (r, 60));
  presence (r, "left", "{\"participant_id\":\"u12\"}");
  g_assert_true (samtal_roster_reached (r, 60));
  g_assert_false (samtal_roster_reached (r, 100));
}

static void
test_roster_departed_early (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  add (r, "{\"participant_id\":\"u12\",\"state\":\"admitted\"}");
  presence (r, "left", "{\"participant_id\":\"u12\"}");
  g_assert_false (samtal_roster_reached (r, 1));   /* left with nothing: not done */
}

static void
test_stats_line (void)
{
  g_autoptr (SamtalRoster) r = samtal_roster_new ();
  add (r, "{\"participant_id\":\"u12\",\"name\":\"Ali \\\"A\\\" Hassan\",\"role\":\"client\",\"state\":\"admitted\"}");
  g_autoptr (JsonNode) tracks = node_from ("[{\"mid\":\"1\",\"participant_id\":\"u12\",\"kind\":\"video\"}]");
  samtal_roster_set_tracks (r, tracks);
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
  g_test_add_func ("/client/options/refused", test_options_refused);
  g_test_add_func ("/client/options/ws-url", test_ws_url);
  g_test_add_func ("/client/roster/presence", test_roster_presence);
  g_test_add_func ("/client/roster/tracks", test_roster_tracks);
  g_test_add_func ("/client/roster/frames", test_roster_frames);
  g_test_add_func ("/client/roster/departed-early", test_roster_departed_early);
  g_test_add_func ("/client/roster/stats-line", test_stats_line);
  return g_test_run ();
}
