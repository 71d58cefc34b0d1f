/* libFuzzer target: request paths. Static file resolution (server/core/static.c) must never name
 * a file outside the web directory, whatever the path; route matching (server/core/http.c) must
 * never crash and only return parameters of the route it matched. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
noop (SamtalRequest *req, gpointer data)
{
}

typedef struct {
  char *web;
  char real_web[PATH_MAX];
  SamtalRouter *router;
} FuzzWorld;

static FuzzWorld *
world (void)
{
  static FuzzWorld w;
  if (w.web != NULL)
    return &w;
  char *root = g_dir_make_tmp ("samtal-fuzz-XXXXXX", NULL);
  w.web = g_build_filename (root, "web", NULL);
  g_autofree char *sub = g_build_filename (w.web, "css", NULL);
  g_mkdir_with_parents (sub, 0700);
  g_autofree char *index = g_build_filename (w.web, "index.html", NULL);
  g_autofree char *css = g_build_filename (sub, "a.css", NULL);
  g_autofree char *secret = g_build_filename (root, "secret.txt", NULL);
  g_autofree char *link = g_build_filename (w.web, "link.txt", NULL);
  g_autofree char *up = g_build_filename (w.web, "up", NULL);
  g_file_set_contents (index, "x", -1, NULL);
  g_file_set_contents (css, "x", -1, NULL);
  g_file_set_contents (secret, "x", -1, NULL);
  (void) !symlink (secret, link);
  (void) !symlink (root, up);
  if (realpath (w.web, w.real_web) == NULL)
    abort ();
  w.router = samtal_router_new (NULL);
  samtal_router_add (w.router, "GET", "/api/v1/bookings/{id}", noop, 0);
  samtal_router_add (w.router, "POST", "/api/v1/bookings/{id}/cancel", noop, 0);
  samtal_router_add (w.router, "DELETE", "/api/v1/staff/{id}/rules/{rule_id}", noop, 0);
  samtal_router_add (w.router, "GET", "/api/v1/audit/verify", noop, 0);
  g_free (root);
  return &w;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  FuzzWorld *w = world ();
  if (size > 2048)
    return 0;
  g_autofree char *path = g_strndup ((const char *) data, size);
  gboolean spa = FALSE;
  g_autofree char *file = samtal_static_resolve (w->web, path, &spa);
  if (file != NULL)
    {
      gsize n = strlen (w->real_web);
      if (strncmp (file, w->real_web, n) != 0 || file[n] != '/' || strstr (file, "secret"))
        abort ();   /* escaped the web dir */
    }
  GHashTable *params = NULL;
  gboolean known = FALSE;
  static const char *const methods[] = { "GET", "POST", "DELETE" };
  if (samtal_router_match (w->router, methods[size % 3], path, &params, &known))
    {
      if (!known || params == NULL)
        abort ();
      g_hash_table_unref (params);
    }
  return 0;
}
