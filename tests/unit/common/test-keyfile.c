/* Unit tests for key files: created 0600 once, stable, refused when loose or the wrong size. */
#include "keyfile.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static void
test_create_and_reload (void)
{
  g_autofree char *dir = g_dir_make_tmp ("samtal-key-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "data", NULL);
  g_autoptr (GError) error = NULL;
  guint8 *a = samtal_key_load_or_create (sub, "test.key", 32, &error);
  g_assert_no_error (error);
  guint8 *b = samtal_key_load_or_create (sub, "test.key", 32, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a, 32, b, 32);
  g_autofree char *path = g_build_filename (sub, "test.key", NULL);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  samtal_key_free (a, 32);
  samtal_key_free (b, 32);

  /* Wrong size: refused. */
  guint8 *c = samtal_key_load_or_create (sub, "test.key", 64, &error);
  g_assert_null (c);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Readable by others: refused. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  guint8 *d = samtal_key_load_or_create (sub, "test.key", 32, &error);
  g_assert_null (d);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keyfile/create-and-reload", test_create_and_reload);
  return g_test_run ();
}
