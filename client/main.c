/* main.c — samtal-client: options, the main loop, signals; the work is in session.c.
 *
 * Exit status: see samtal_client_usage() (0 done, 1 failure/timeout, 2 usage, 3 refused,
 * 4 removed or ended before --expect-frames).
 */
#include <glib-unix.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "session.h"

static gboolean
on_signal (gpointer data)
{
  samtal_client_session_stop (data, "interrupted");
  return G_SOURCE_CONTINUE;
}

static int
run (const SamtalClientOptions *options)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (SamtalClientSession) session = samtal_client_session_new (options, loop);
  guint sigint = g_unix_signal_add (SIGINT, on_signal, session);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, session);
  samtal_client_session_start (session);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return samtal_client_session_exit_code (session);
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && (g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0 ||
                    g_strcmp0 (argv[1], "help") == 0)) {
    fputs (samtal_client_usage (), stdout);
    return 0;
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalClientOptions) options =
    samtal_client_options_parse (argc, argv, g_getenv ("SAMTAL_TOKEN"), &error);
  if (options == NULL) {
    fprintf (stderr, "samtal-client: %s\n\n%s", error->message, samtal_client_usage ());
    return SAMTAL_CLIENT_EXIT_USAGE;
  }
  gst_init (NULL, NULL);
  return run (options);
}
