/* test-browser.c — a browser and a native client meet: headless Chromium (fake camera) on the
 * small test page in tests/media/page (served by samtal-server itself through SAMTAL_WEB_DIR, so
 * the page is same-origin with /ws and its CSP holds) joins as the booking's client;
 * samtal-client joins as the caseworker with --auto-admit. Each must decode ≥ 60 frames of the
 * other's video. Skipped when node or Chromium is missing.
 *
 * Then the browser must see its connectivity checks on the selected ICE pair answered after the
 * goal (--consent): by then the relay reads the socket itself and answers STUN on its own
 * (relay/README.md), and a browser that gets no answers drops the connection after 30 s (RFC 7675).
 * (The relay negotiates NACK/RTX for video only: Chrome refuses an RTX ssrc-group on an audio
 * m-line.)
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

/* The browser driver dies with the test (it would otherwise keep Chromium running). */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
on_browser_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_object_set_data_full (source, "result", g_object_ref (result), g_object_unref);
  *(gboolean *) data = TRUE;
}

static void
test_browser_and_native (void)
{
  const char *chromium = g_getenv ("CHROMIUM") != NULL ? g_getenv ("CHROMIUM") : "/usr/bin/chromium";
  g_autofree char *node = g_find_program_in_path ("node");
  if (node == NULL || !g_file_test (chromium, G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip ("node or chromium is not installed");
    return;
  }
  const char *src = g_getenv ("SAMTAL_SOURCE_ROOT");
  g_assert_nonnull (src);
  g_autofree char *page_dir = g_build_filename (src, "tests", "media", "page", NULL);
  g_autofree char *script = g_build_filename (src, "tests", "media", "browser-meet.mjs", NULL);

  g_autoptr (MeetingFixture) f = meeting_fixture_new (page_dir);
  gint64 booking = meeting_book (f, f->client_id, 120, 30);
  g_autofree char *staff_token = meeting_join_token (f, booking, f->staff_session);
  g_autofree char *client_token = meeting_join_token (f, booking, f->client_session);
  g_autofree char *staff_pid = meeting_pid (f->staff_id);
  g_autofree char *client_pid = meeting_pid (f->client_id);

  const char *const staff_args[] = { "--auto-admit", "--expect-frames", "60", "--timeout", "150", NULL };
  g_autoptr (MeetingClient) staff = meeting_client_start (f, "staff", staff_token, staff_args);

  g_autofree char *url = g_strdup_printf ("%s/index.html#token=%s", f->base_url, client_token);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_autoptr (GSubprocess) browser = g_subprocess_launcher_spawn (
    launcher, &error, node, script, "--url", url, "--frames", "60", "--expect", staff_pid,
    "--timeout", "120", "--consent", "20", NULL);
  g_assert_no_error (error);
  /* communicate asynchronously: the native client's output is read on this context meanwhile */
  gboolean done = FALSE;
  g_subprocess_communicate_utf8_async (browser, NULL, NULL, on_browser_done, &done);
  while (!done)
    meeting_spin (50);
  g_subprocess_communicate_utf8_finish (browser, g_object_get_data (G_OBJECT (browser), "result"),
                                        &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("browser: %s", out != NULL ? out : "");
  if (!g_subprocess_get_if_exited (browser) || g_subprocess_get_exit_status (browser) != 0)
    g_printerr ("# --- browser stderr ---\n%s# ---\n", err != NULL ? err : "");
  g_assert_true (g_subprocess_get_if_exited (browser));
  g_assert_cmpint (g_subprocess_get_exit_status (browser), ==, 0);

  /* The relay read both sockets itself and answered the browser's checks (metrics are updated
   * every 2 s). */
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (meeting_metric (f, "samtal_relay_stun_answered") < 1 && g_get_monotonic_time () < until)
    meeting_spin (250);
  if (meeting_metric (f, "samtal_relay_stun_answered") < 1 ||
      meeting_metric (f, "samtal_relay_sockets_handed_back") != 0) {
    g_autofree char *log_path = g_build_filename (f->data_dir, "server.log", NULL);
    g_autofree char *log = NULL;
    g_file_get_contents (log_path, &log, NULL, NULL);
    g_printerr ("# own readers %.0f; server log:\n%s\n", meeting_metric (f, "samtal_relay_own_readers"),
                log != NULL ? log : "(none)");
  }
  g_assert_cmpfloat (meeting_metric (f, "samtal_relay_stun_answered"), >=, 1);
  g_assert_cmpfloat (meeting_metric (f, "samtal_relay_sockets_handed_back"), ==, 0);

  g_assert_true (meeting_client_wait (staff, 150));
  g_assert_cmpint (staff->exit_status, ==, 0);
  g_assert_cmpuint (meeting_client_frames (staff, client_pid), >=, 60);
}

/* Chromium gathers candidates on every interface and pairs them with the relay's 127.0.0.1; on a
 * machine whose eth0 has an address it then sends (and gets answers) from that address — test
 * traffic must stay on loopback. As root the whole test (server, native client, browser) runs in a
 * network namespace of its own with only `lo` (the notes say Chromium connects fine there);
 * otherwise it says so and runs as it is. Before anything starts a thread: a namespace is per
 * thread, and what starts later inherits it. */
static char *
enter_loopback_namespace (void)
{
  if (geteuid () != 0)
    return g_strdup ("not root: the browser may use other interfaces than loopback");
  if (unshare (CLONE_NEWNET) != 0)
    return g_strdup_printf ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  gboolean up = fd >= 0 && ioctl (fd, SIOCGIFFLAGS, &ifr) == 0 &&
                (ifr.ifr_flags |= IFF_UP, ioctl (fd, SIOCSIFFLAGS, &ifr) == 0);
  if (fd >= 0)
    close (fd);
  return up ? NULL : g_strdup_printf ("lo in the new namespace: %s", g_strerror (errno));
}

int
main (int argc, char **argv)
{
  g_autofree char *ns_problem = enter_loopback_namespace ();
  g_test_init (&argc, &argv, NULL);
  if (ns_problem != NULL)
    g_test_message ("no loopback-only namespace (%s)", ns_problem);
  g_test_add_func ("/meeting/browser-and-native", test_browser_and_native);
  return g_test_run ();
}
