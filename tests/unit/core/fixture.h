/* fixture.h — a SamtalServer (no network) on a fresh temporary data dir, for unit tests. */
#pragma once

#include <glib/gstdio.h>

#include "core/server.h"

typedef struct {
  char *dir;
  SamtalServer *server;
} CoreFixture;

static inline void
core_fixture_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        core_fixture_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static inline void
core_fixture_setup (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("samtal-core-XXXXXX", &error);
  g_assert_no_error (error);
  SamtalConfig *c = samtal_config_new ();
  g_free (c->data_dir);
  c->data_dir = g_build_filename (f->dir, "data", NULL);
  c->hash_workers = 1;
  g_assert_true (samtal_config_finish (c, &error));
  f->server = samtal_server_new (c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static inline void
core_fixture_teardown (CoreFixture *f, gconstpointer data)
{
  samtal_server_free (f->server);
  core_fixture_remove_tree (f->dir);
  g_free (f->dir);
}
