/* main.c — samtal-server: parses options, builds the configuration, wires the components
 * together and runs the main loop. Also the subcommands "user add" and "audit verify".
 * Nothing else lives here: the platform is server/core, the domain server/booking and
 * server/cases, the meeting glue server/meetings. */
#include <sodium.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/http.h"
#include "core/server.h"
#include "core/users.h"

#ifdef SAMTAL_HAVE_BOOKING
#include "booking/booking-api.h"
#endif
#ifdef SAMTAL_HAVE_CASES
#include "cases/cases-api.h"
#endif
#ifdef SAMTAL_HAVE_MEETINGS
#include "meetings/meetings.h"
#endif

#define PASSWORD_LINE_MAX 4096

/* --- options --- */

typedef struct {
  char *config_file;
  char *listen;
  char *data_dir;
  char *web_dir;
  char *public_url;
  char *tls_cert;
  char *tls_key;
  char **ice_addresses;
  char *stun;
  char *turn;
  char *turn_secret;
  char *relay_forwarding;
  char *timezone;
  gboolean demo;
  /* user add */
  char *email;
  char *name;
  char *role;
  char *unit;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->config_file);
  g_free (o->listen);
  g_free (o->data_dir);
  g_free (o->web_dir);
  g_free (o->public_url);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_strfreev (o->ice_addresses);
  g_free (o->stun);
  g_free (o->turn);
  g_free (o->turn_secret);
  g_free (o->relay_forwarding);
  g_free (o->timezone);
  g_free (o->email);
  g_free (o->name);
  g_free (o->role);
  g_free (o->unit);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static void
set_string (char **slot, const char *value)
{
  if (value != NULL)
    {
      g_free (*slot);
      *slot = g_strdup (value);
    }
}

/* Config: defaults → --config file → SAMTAL_* environment → command line. */
static SamtalConfig *
config_from_options (const Options *o, GError **error)
{
  g_autoptr (SamtalConfig) c = samtal_config_new ();
  if (o->config_file && !samtal_config_load_file (c, o->config_file, error))
    return NULL;
  if (!samtal_config_apply_env (c, NULL, error))
    return NULL;
  if (o->listen && !samtal_config_set_listen (c, o->listen, error))
    return NULL;
  set_string (&c->data_dir, o->data_dir);
  set_string (&c->web_dir, o->web_dir);
  set_string (&c->public_url, o->public_url);
  set_string (&c->tls_cert, o->tls_cert);
  set_string (&c->tls_key, o->tls_key);
  set_string (&c->stun_server, o->stun);
  set_string (&c->turn_server, o->turn);
  set_string (&c->turn_secret, o->turn_secret);
  set_string (&c->relay_forwarding, o->relay_forwarding);
  set_string (&c->timezone_name, o->timezone);
  if (o->ice_addresses)
    {
      g_strfreev (c->ice_addresses);
      c->ice_addresses = g_strdupv (o->ice_addresses);
    }
  c->demo = c->demo || o->demo;
  if (!samtal_config_finish (c, error))
    return NULL;
  return g_steal_pointer (&c);
}

static gboolean
parse_options (int *argc, char ***argv, const GOptionEntry *entries, const char *summary,
               GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_option_context_add_main_entries (ctx, entries, NULL);
  return g_option_context_parse (ctx, argc, argv, error);
}

/* Options are read as bytes (G_OPTION_ARG_FILENAME: no locale conversion, so "Färdtjänst"
 * works in the C locale); text options must be UTF-8. */
static gboolean
options_are_utf8 (const Options *o)
{
  const char *texts[] = { o->listen, o->public_url, o->stun, o->turn, o->turn_secret, o->timezone,
                          o->relay_forwarding,
                          o->email, o->name, o->role, o->unit };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] && !g_utf8_validate (texts[i], -1, NULL))
      return FALSE;
  return TRUE;
}

static int
fail (const char *what, const GError *error)
{
  g_printerr ("samtal-server: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
  return 1;
}

/* --- components (each hook exists once its component is built) --- */

static gboolean
components_migrate (SamtalServer *server, GError **error)
{
#ifdef SAMTAL_HAVE_BOOKING
  if (!samtal_booking_migrate (server, error))
    return FALSE;
#endif
#ifdef SAMTAL_HAVE_CASES
  if (!samtal_cases_migrate (server, error))
    return FALSE;
#endif
  return TRUE;
}

static gboolean
components_register (SamtalServer *server, GError **error)
{
#ifdef SAMTAL_HAVE_BOOKING
  if (!samtal_booking_api_register_full (server, error))
    return FALSE;
  if (server->config->demo && !samtal_demo_seed (server, error))
    return FALSE;
#else
  if (server->config->demo)
    g_printerr ("samtal-server: --demo: this build has no booking component to seed\n");
#endif
#ifdef SAMTAL_HAVE_CASES
  samtal_cases_api_register (server);
#endif
  return TRUE;
}

#ifdef SAMTAL_HAVE_MEETINGS
static void
meetings_shutdown_hook (SamtalServer *server, gpointer unused)
{
  samtal_meetings_shutdown (server);
}
#endif

/* ===== MEETINGS: the relay and the signaling hub at /ws (server/meetings, by "client") ===== */
static gboolean
components_attach (SamtalServer *server, GError **error)
{
#ifdef SAMTAL_HAVE_MEETINGS
  if (!samtal_meetings_setup (server, server->soup, error))
    return FALSE;
  samtal_server_add_shutdown_hook (server, meetings_shutdown_hook, NULL, NULL);
#endif
  return TRUE;
}

/* --- samtal-server (serve) --- */

static int
cmd_serve (int argc, char **argv)
{
  g_auto (Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_file, "Read settings from FILE (GKeyFile)", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_FILENAME, &o.listen, "Listen on HOST:PORT (default 127.0.0.1:8080)", "HOST:PORT" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir, "Database and key files (default ./var)", "DIR" },
    { "web-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.web_dir, "The web app's files", "DIR" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &o.demo, "Seed a demo municipality into an empty database", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_cert, "TLS certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_key, "TLS private key (PEM)", "FILE" },
    { "public-url", 0, 0, G_OPTION_ARG_FILENAME, &o.public_url, "The URL users reach the server at", "URL" },
    { "ice-address", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.ice_addresses, "Gather ICE candidates on ADDR (repeatable)", "ADDR" },
    { "stun", 0, 0, G_OPTION_ARG_FILENAME, &o.stun, "STUN server stun://HOST:PORT", "URL" },
    { "turn", 0, 0, G_OPTION_ARG_FILENAME, &o.turn, "TURN server turn://HOST:PORT", "URL" },
    { "turn-secret", 0, 0, G_OPTION_ARG_FILENAME, &o.turn_secret, "TURN REST shared secret", "SECRET" },
    { "relay-forwarding", 0, 0, G_OPTION_ARG_FILENAME, &o.relay_forwarding, "How the relay forwards media: direct (default), direct-gst (SRTP by webrtcbin's elements) or pipeline (the slower first design, for comparison)", "MODE" },
    { "timezone", 0, 0, G_OPTION_ARG_FILENAME, &o.timezone, "Time zone (default Europe/Stockholm)", "ZONE" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  if (!parse_options (&argc, &argv, entries, "— samtal video meetings and booking", &error))
    return fail ("bad options", error);
  if (!options_are_utf8 (&o))
    return fail ("options must be UTF-8 text", NULL);
  if (argc > 1)
    return fail ("unknown command (try --help, \"user add\" or \"audit verify\")", NULL);
  SamtalConfig *config = config_from_options (&o, &error);
  if (config == NULL)
    return fail ("configuration", error);
  g_autoptr (SamtalServer) server = samtal_server_new (config, &error);
  if (server == NULL || !components_migrate (server, &error)
      || !components_register (server, &error) || !samtal_server_listen (server, &error)
      || !components_attach (server, &error))
    return fail ("cannot start", error);
  samtal_server_run (server);
  g_printerr ("samtal-server: stopped\n");
  return 0;
}

/* --- samtal-server user add --- */

static char *
read_password_line (void)
{
  char buf[PASSWORD_LINE_MAX];
  if (fgets (buf, sizeof buf, stdin) == NULL)
    return NULL;
  buf[strcspn (buf, "\r\n")] = '\0';
  char *line = g_strdup (buf);
  sodium_memzero (buf, sizeof buf);
  return line;
}

static int
cmd_user_add (int argc, char **argv)
{
  g_auto (Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_file, "Read settings from FILE", "FILE" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir, "Data directory (default ./var)", "DIR" },
    { "email", 0, 0, G_OPTION_ARG_FILENAME, &o.email, "E-mail address (the login)", "EMAIL" },
    { "name", 0, 0, G_OPTION_ARG_FILENAME, &o.name, "Full name", "NAME" },
    { "role", 0, 0, G_OPTION_ARG_FILENAME, &o.role, "client, caseworker, officer or admin", "ROLE" },
    { "unit", 0, 0, G_OPTION_ARG_FILENAME, &o.unit, "Unit name (created if missing)", "UNIT_NAME" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  if (!parse_options (&argc, &argv, entries, "— add a user; the password is read from stdin",
                      &error))
    return fail ("bad options", error);
  if (!options_are_utf8 (&o))
    return fail ("options must be UTF-8 text", NULL);
  if (o.email == NULL || o.name == NULL || o.role == NULL)
    return fail ("user add needs --email, --name and --role", NULL);
  if (!samtal_role_valid (o.role))
    return fail ("unknown role (use client, caseworker, officer or admin)", NULL);
  g_autofree char *password = read_password_line ();
  if (password == NULL)
    return fail ("no password on standard input", NULL);
  SamtalConfig *config = config_from_options (&o, &error);
  if (config == NULL)
    return fail ("configuration", error);
  g_autoptr (SamtalServer) server = samtal_server_new (config, &error);
  if (server == NULL || !components_migrate (server, &error))
    return fail ("cannot open the data directory", error);
  if (!samtal_password_check_policy (password, &error))
    return fail ("cannot add the user", error);
  gint64 unit_id = o.unit ? samtal_units_ensure (server, 0, o.unit, &error) : 0;
  if (o.unit && unit_id == 0)
    return fail ("unit", error);
  g_autoptr (SamtalUser) user = samtal_users_create_sync (server, 0, o.email, o.name, o.role,
                                                          unit_id, password, &error);
  sodium_memzero (password, strlen (password));
  if (user == NULL)
    return fail ("cannot add the user", error);
  g_autoptr (JsonNode) node = samtal_user_to_json (user);
  g_autofree char *text = json_to_string (node, FALSE);
  g_print ("%s\n", text);
  return 0;
}

/* --- samtal-server audit verify --- */

static int
cmd_audit_verify (int argc, char **argv)
{
  g_auto (Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_file, "Read settings from FILE", "FILE" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir, "Data directory (default ./var)", "DIR" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  if (!parse_options (&argc, &argv, entries, "— check the audit trail's hash chain", &error))
    return fail ("bad options", error);
  SamtalConfig *config = config_from_options (&o, &error);
  if (config == NULL)
    return fail ("configuration", error);
  if (!g_file_test (config->data_dir, G_FILE_TEST_IS_DIR))
    {
      samtal_config_free (config);
      return fail ("no such data directory", NULL);
    }
  g_autoptr (SamtalServer) server = samtal_server_new (config, &error);
  SamtalAuditReport report;
  if (server == NULL || !samtal_audit_verify (server->audit, &report, &error))
    return fail ("cannot read the audit trail", error);
  int status = 0;
  if (report.ok)
    g_print ("ok %" G_GINT64_FORMAT " entries\n", report.entries);
  else
    {
      g_print ("FAILED: first bad entry %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
               " entries verified before it)\n", report.first_bad, report.entries);
      g_printerr ("samtal-server: %s\n", report.reason);
      status = 1;
    }
  samtal_audit_report_clear (&report);
  return status;
}

/* Output is UTF-8 whatever the locale: g_print would otherwise turn "Åsa" into "?sa" under C. */
static void
print_utf8 (const char *text)
{
  fputs (text, stdout);
  fflush (stdout);
}

static void
printerr_utf8 (const char *text)
{
  fputs (text, stderr);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_set_print_handler (print_utf8);
  g_set_printerr_handler (printerr_utf8);
  if (sodium_init () < 0)
    return fail ("libsodium could not start", NULL);
  if (argc >= 3 && g_str_equal (argv[1], "user") && g_str_equal (argv[2], "add"))
    return cmd_user_add (argc - 2, argv + 2);
  if (argc >= 3 && g_str_equal (argv[1], "audit") && g_str_equal (argv[2], "verify"))
    return cmd_audit_verify (argc - 2, argv + 2);
  return cmd_serve (argc, argv);
}
