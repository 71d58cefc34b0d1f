/* The hub with the real relay (media suite): a SoupServer on 127.0.0.1 with samtal_hub_new()
 * over samtal_relay_new(), and samtal-client processes as participants. A caseworker with
 * --auto-admit and a client in the waiting room meet and each decode the other's video; then an
 * interpreter joins the running meeting, is admitted, and decodes the caseworker's video. The
 * audit trail must show the joins and admissions. No server, no database: check_meeting is NULL,
 * so the tokens alone decide. */
#include "hub.h"
#include "message.h"

#include <gst/gst.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>

typedef struct {
  GSubprocess *process;
  gboolean exited;
  int status;
} Proc;

typedef struct {
  SamtalHub *hub;
  GPtrArray *audits;
} Ctx;

/* The relay exists before the hub, so its events go through the context to the hub. */
static void
ev_description (const char *room, const char *pid, const char *type, const char *sdp,
                const SamtalRelayTrack *tracks, guint n, gpointer data)
{
  Ctx *ctx = data;
  if (ctx->hub != NULL)
    samtal_hub_relay_events ()->local_description (room, pid, type, sdp, tracks, n, ctx->hub);
}

static void
ev_candidate (const char *room, const char *pid, guint mline, const char *cand, gpointer data)
{
  Ctx *ctx = data;
  if (ctx->hub != NULL)
    samtal_hub_relay_events ()->local_candidate (room, pid, mline, cand, ctx->hub);
}

static void
ev_state (const char *room, const char *pid, const char *state, gpointer data)
{
  g_test_message ("media %s/%s: %s", room, pid, state);
}

static void
ev_failed (const char *room, const char *pid, const char *reason, gpointer data)
{
  Ctx *ctx = data;
  if (ctx->hub != NULL)
    samtal_hub_relay_events ()->participant_failed (room, pid, reason, ctx->hub);
}

static void
audit (const char *actor, const char *action, const char *object_type, gint64 object_id,
       const char *detail, gpointer data)
{
  Ctx *ctx = data;
  g_ptr_array_add (ctx->audits, g_strdup_printf ("%s %s", actor, action));
}

static void
on_proc_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  Proc *p = data;
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    return;
  p->exited = TRUE;
  p->status = g_subprocess_get_if_exited (p->process) ? g_subprocess_get_exit_status (p->process)
                                                      : 128 + g_subprocess_get_term_sig (p->process);
}

static char *
mint (const guint8 *key, const char *pid, const char *role)
{
  g_autoptr (SamtalJoinClaims) c = samtal_join_claims_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  c->booking_id = 42;
  c->participant_id = g_strdup (pid);
  c->role = g_strdup (role);
  c->name = g_strdup (pid);
  c->not_before = now - 60;
  c->expires = now + 3600;
  return samtal_token_mint (key, c);
}

static Proc *
start (const char *url, const char *token, const char *frames, gboolean auto_admit)
{
  g_autofree char *exe = g_build_filename (g_getenv ("SAMTAL_BUILD_ROOT"), "client",
                                           "samtal-client", NULL);
  Proc *p = g_new0 (Proc, 1);
  g_autoptr (GError) error = NULL;
  /* The client's exit status is what we test; leaks inside its libraries (gssdp, OpenSSL) are
   * not, so LeakSanitizer is off for it. */
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
  p->process = g_subprocess_launcher_spawn (launcher, &error, exe, "join", "--server", url,
                                            "--token", token, "--expect-frames", frames,
                                            "--timeout", "90", "--ice-address", "127.0.0.1",
                                            auto_admit ? "--auto-admit" : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (p->process, NULL, on_proc_exit, p);
  return p;
}

static void
wait_exit (Proc *p, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (!p->exited && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (p->exited);
}

static void
proc_free (Proc *p)
{
  if (!p->exited)
    g_subprocess_force_exit (p->process);
  g_object_unref (p->process);
  g_free (p);
}

static gboolean
has (GPtrArray *list, const char *s)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_ptr_array_index (list, i), s) == 0)
      return TRUE;
  return FALSE;
}

static void
test_meeting (void)
{
  guint8 key[SAMTAL_TOKEN_KEY_BYTES];
  randombytes_buf (key, sizeof key);
  Ctx ctx = { NULL, g_ptr_array_new_with_free_func (g_free) };
  char *ice[] = { "127.0.0.1", NULL };
  SamtalRelayConfig config = { .ice_addresses = ice };
  SamtalRelayEvents events = { ev_description, ev_candidate, ev_state, ev_failed };
  g_autoptr (GError) error = NULL;
  SamtalRelay *relay = samtal_relay_new (&config, &events, &ctx, NULL, &error);
  g_assert_no_error (error);
  SamtalHubCallbacks cbs = { NULL, audit };
  ctx.hub = samtal_hub_new (key, relay, &cbs, &ctx, NULL);

  SoupServer *server = soup_server_new (NULL, NULL);
  samtal_hub_attach (ctx.hub, server, "/ws");
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_assert_true (soup_server_listen (server, addr, 0, &error));
  GSList *listeners = soup_server_get_listeners (server);
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (listeners->data, &error);
  g_slist_free (listeners);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u",
                                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));

  g_autofree char *staff_token = mint (key, "u7", "caseworker");
  g_autofree char *client_token = mint (key, "u12", "client");
  g_autofree char *interp_token = mint (key, "g3", "interpreter");
  Proc *staff = start (url, staff_token, "1000000", TRUE);
  Proc *client = start (url, client_token, "30", FALSE);
  wait_exit (client, 120);
  g_assert_cmpint (client->status, ==, 0);
  g_assert_false (staff->exited);
  g_assert_true (has (ctx.audits, "u12 meeting.join"));
  g_assert_true (has (ctx.audits, "u7 meeting.admit"));

  Proc *interp = start (url, interp_token, "30", FALSE);
  wait_exit (interp, 120);
  g_assert_cmpint (interp->status, ==, 0);
  g_assert_false (staff->exited);

  g_subprocess_send_signal (staff->process, SIGINT);
  wait_exit (staff, 30);
  proc_free (staff);
  proc_free (client);
  proc_free (interp);
  samtal_hub_free (ctx.hub);
  ctx.hub = NULL;
  soup_server_disconnect (server);
  g_object_unref (server);
  samtal_relay_free (relay);
  g_ptr_array_unref (ctx.audits);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_assert_true (sodium_init () >= 0);
  g_test_add_func ("/signaling/hub-relay/meeting", test_meeting);
  return g_test_run ();
}
