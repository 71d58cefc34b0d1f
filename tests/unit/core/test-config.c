/* Unit tests: configuration from file, environment and listen strings (core/config.h). */
#include "core/config.h"
#include "fixture.h"

#include <string.h>

static void
test_listen (void)
{
  g_autoptr (SamtalConfig) c = samtal_config_new ();
  g_assert_cmpstr (c->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (c->listen_port, ==, 8080);
  g_assert_true (samtal_config_set_listen (c, "0.0.0.0:9000", NULL));
  g_assert_cmpstr (c->listen_host, ==, "0.0.0.0");
  g_assert_cmpuint (c->listen_port, ==, 9000);
  g_assert_true (samtal_config_set_listen (c, "[::1]:0", NULL));
  g_assert_cmpstr (c->listen_host, ==, "::1");
  g_assert_cmpuint (c->listen_port, ==, 0);
  g_assert_false (samtal_config_set_listen (c, "localhost", NULL));
  g_assert_false (samtal_config_set_listen (c, "h:65536", NULL));
  g_assert_false (samtal_config_set_listen (c, "h:12x", NULL));
}

static void
test_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("samtal-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "samtal.conf", NULL);
  g_assert_true (g_file_set_contents (path,
    "[server]\nlisten=127.0.0.1:9999\ndata-dir=/srv/samtal\ntimezone=Europe/Helsinki\n"
    "[media]\nice-addresses=127.0.0.1;10.0.0.2\nstun=stun://stun.example:3478\n"
    "[session]\nidle-timeout=60\n", -1, NULL));
  g_autoptr (SamtalConfig) c = samtal_config_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_config_load_file (c, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->listen_port, ==, 9999);
  g_assert_cmpstr (c->data_dir, ==, "/srv/samtal");
  g_assert_cmpuint (g_strv_length (c->ice_addresses), ==, 2);
  g_assert_cmpstr (c->ice_addresses[1], ==, "10.0.0.2");
  g_assert_cmpuint (c->session_idle_s, ==, 60);
  g_assert_true (samtal_config_finish (c, &error));
  g_assert_nonnull (c->timezone);

  g_assert_true (g_file_set_contents (path, "[server]\nlisten-on=1\n", -1, NULL));
  g_assert_false (samtal_config_load_file (c, path, &error));
  g_assert_nonnull (strstr (error->message, "listen-on"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "[session]\nidle-timeout=soon\n", -1, NULL));
  g_assert_false (samtal_config_load_file (c, path, &error));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_env_and_finish (void)
{
  g_autoptr (SamtalConfig) c = samtal_config_new ();
  char *env[] = { "SAMTAL_LISTEN=127.0.0.1:7000", "SAMTAL_DATA_DIR=/tmp/x",
                  "SAMTAL_ICE_ADDRESSES=127.0.0.1,::1", "SAMTAL_TIMEZONE=UTC", NULL };
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_config_apply_env (c, env, &error));
  g_assert_cmpuint (c->listen_port, ==, 7000);
  g_assert_cmpstr (c->data_dir, ==, "/tmp/x");
  g_assert_cmpstr (c->ice_addresses[1], ==, "::1");
  g_assert_true (samtal_config_finish (c, &error));

  c->tls_cert = g_strdup ("cert.pem");
  g_assert_false (samtal_config_finish (c, &error));
  g_clear_error (&error);
  g_clear_pointer (&c->tls_cert, g_free);
  g_free (c->timezone_name);
  c->timezone_name = g_strdup ("Mars/Olympus_Mons");
  g_assert_false (samtal_config_finish (c, &error));
  g_clear_error (&error);
  g_free (c->timezone_name);
  c->timezone_name = g_strdup ("Europe/Stockholm");
  c->public_url = g_strdup ("ftp://x");
  g_assert_false (samtal_config_finish (c, &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/listen", test_listen);
  g_test_add_func ("/config/file", test_file);
  g_test_add_func ("/config/env-and-finish", test_env_and_finish);
  return g_test_run ();
}
