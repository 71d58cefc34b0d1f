/* Unit tests: static file resolution never leaves web_dir (core/http-private.h). */
#include <string.h>
#include <unistd.h>

#include "core/http-private.h"
#include "fixture.h"

typedef struct {
  char *root;
  char *web;
} Web;

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_mkdir_with_parents (parent, 0700);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
web_setup (Web *w, gconstpointer data)
{
  w->root = g_dir_make_tmp ("samtal-static-XXXXXX", NULL);
  w->web = g_build_filename (w->root, "web", NULL);
  write_file (w->web, "index.html", "<!doctype html>");
  write_file (w->web, "app.js", "export {}");
  write_file (w->web, "css/site.css", "body{}");
  write_file (w->web, ".secret", "no");
  write_file (w->root, "outside.txt", "secret");
  g_autofree char *link1 = g_build_filename (w->web, "leak.txt", NULL);
  g_autofree char *link2 = g_build_filename (w->web, "up", NULL);
  g_autofree char *target = g_build_filename (w->root, "outside.txt", NULL);
  g_assert_cmpint (symlink (target, link1), ==, 0);
  g_assert_cmpint (symlink (w->root, link2), ==, 0);
}

static void
web_teardown (Web *w, gconstpointer data)
{
  core_fixture_remove_tree (w->root);
  g_free (w->root);
  g_free (w->web);
}

static char *
resolve (Web *w, const char *path, gboolean *spa)
{
  return samtal_static_resolve (w->web, path, spa);
}

static void
test_serves_files (Web *w, gconstpointer data)
{
  gboolean spa;
  g_autofree char *a = resolve (w, "/app.js", &spa);
  g_assert_nonnull (a);
  g_assert_true (g_str_has_suffix (a, "/web/app.js"));
  g_autofree char *b = resolve (w, "/css/site.css", &spa);
  g_assert_nonnull (b);
  g_autofree char *c = resolve (w, "/", &spa);
  g_assert_true (g_str_has_suffix (c, "/index.html"));
  g_autofree char *d = resolve (w, "/css%2Fsite.css", &spa);
  g_assert_nonnull (d);
}

static void
test_spa_fallback (Web *w, gconstpointer data)
{
  gboolean spa = FALSE;
  g_autofree char *a = resolve (w, "/meet/12", &spa);
  g_assert_null (a);
  g_assert_true (spa);
  /* Join tokens contain dots, yet /join/{token} is the web app's route. */
  spa = FALSE;
  g_autofree char *b = resolve (w, "/join/st1.abc.def", &spa);
  g_assert_null (b);
  g_assert_true (spa);
  spa = TRUE;
  g_autofree char *e = resolve (w, "/other/st1.abc", &spa);
  g_assert_null (e);
  g_assert_false (spa);
  g_autofree char *c = resolve (w, "/missing.js", &spa);
  g_assert_null (c);
  g_assert_false (spa);
}

static void
test_never_escapes (Web *w, gconstpointer data)
{
  static const char *const hostile[] = {
    "/../outside.txt", "/..%2Foutside.txt", "/%2e%2e/outside.txt", "/css/../../outside.txt",
    "/leak.txt", "/up/outside.txt", "/.secret", "/%2esecret", "/app.js%00.html",
    "/app.js\\..\\x", "/%c0%ae%c0%ae/outside.txt", "relative.txt",
  };
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      gboolean spa;
      g_autofree char *f = resolve (w, hostile[i], &spa);
      if (f != NULL)
        g_error ("%s resolved to %s", hostile[i], f);
    }
}

static void
test_mime (void)
{
  g_assert_cmpstr (samtal_static_mime_type ("a/b.js"), ==, "text/javascript; charset=utf-8");
  g_assert_cmpstr (samtal_static_mime_type ("x.HTML"), ==, "text/html; charset=utf-8");
  g_assert_cmpstr (samtal_static_mime_type ("x.css"), ==, "text/css; charset=utf-8");
  g_assert_cmpstr (samtal_static_mime_type ("x.svg"), ==, "image/svg+xml");
  g_assert_cmpstr (samtal_static_mime_type ("x.unknown"), ==, "application/octet-stream");
  g_assert_cmpstr (samtal_static_mime_type ("dir.d/file"), ==, "application/octet-stream");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/static/serves", Web, NULL, web_setup, test_serves_files, web_teardown);
  g_test_add ("/static/spa", Web, NULL, web_setup, test_spa_fallback, web_teardown);
  g_test_add ("/static/never-escapes", Web, NULL, web_setup, test_never_escapes, web_teardown);
  g_test_add_func ("/static/mime", test_mime);
  return g_test_run ();
}
