/* static.c — serving the web app from web_dir without ever leaving it.
 *
 * The request path is percent-decoded once; a path with NUL, backslash, a ".." or "." segment or
 * a hidden segment (".x") is refused. The file found is canonicalised (realpath) and must still be
 * inside the canonical web_dir, so symlinks cannot lead out. Paths without an extension that
 * name no file get index.html: the web app routes /meet/{id} and /join/{token} itself. */
#include "http-private.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATIC_MAX_FILE_BYTES (32 * 1024 * 1024)

typedef struct {
  const char *ext;
  const char *type;
} MimeEntry;

static const MimeEntry mime_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json; charset=utf-8" },
  { ".webmanifest", "application/manifest+json" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".jpg", "image/jpeg" },
  { ".jpeg", "image/jpeg" },
  { ".gif", "image/gif" },
  { ".webp", "image/webp" },
  { ".ico", "image/x-icon" },
  { ".woff2", "font/woff2" },
  { ".woff", "font/woff" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".map", "application/json; charset=utf-8" },
  { ".wasm", "application/wasm" },
  { ".mp3", "audio/mpeg" },
  { ".ogg", "audio/ogg" },
  { ".webm", "video/webm" },
};

const char *
samtal_static_mime_type (const char *filename)
{
  const char *dot = strrchr (filename, '.');
  const char *slash = strrchr (filename, '/');
  if (dot == NULL || (slash && dot < slash))
    return "application/octet-stream";
  for (guint i = 0; i < G_N_ELEMENTS (mime_types); i++)
    if (g_ascii_strcasecmp (dot, mime_types[i].ext) == 0)
      return mime_types[i].type;
  return "application/octet-stream";
}

/* Decoded path segments, or NULL if any segment is unsafe. */
static char **
static_segments (const char *path)
{
  if (path == NULL || path[0] != '/' || strlen (path) > 1024)
    return NULL;
  g_autofree char *decoded = g_uri_unescape_string (path, NULL);
  if (decoded == NULL || strchr (decoded, '\\') || !g_utf8_validate (decoded, -1, NULL))
    return NULL;
  g_auto (GStrv) segs = g_strsplit (decoded + 1, "/", -1);
  for (char **s = segs; *s; s++)
    {
      if (**s == '.')
        return NULL;        /* ".", "..", and hidden files */
      for (const char *c = *s; *c; c++)
        if ((unsigned char) *c < 0x20)
          return NULL;
    }
  return g_steal_pointer (&segs);
}

static gboolean
segment_has_extension (const char *last)
{
  return last != NULL && strchr (last, '.') != NULL;
}

/* The web app's own routes whose last segment may contain dots: /join/{token} (join tokens are
 * "st1.<payload>.<mac>") and /meet/{id}. They always get index.html. */
static gboolean
is_app_route (GStrv segs, guint n)
{
  return n == 2 && (g_str_equal (segs[0], "join") || g_str_equal (segs[0], "meet"));
}

/* realpath(file) if it is a regular file inside real_root, else NULL. */
static char *
contained_regular_file (const char *real_root, const char *file)
{
  char resolved[PATH_MAX];
  struct stat st;
  if (realpath (file, resolved) == NULL || stat (resolved, &st) != 0 || !S_ISREG (st.st_mode))
    return NULL;
  gsize n = strlen (real_root);
  if (strncmp (resolved, real_root, n) != 0 || resolved[n] != '/')
    return NULL;
  return g_strdup (resolved);
}

char *
samtal_static_resolve (const char *web_dir, const char *path, gboolean *spa_fallback)
{
  char root[PATH_MAX];
  *spa_fallback = FALSE;
  g_auto (GStrv) segs = static_segments (path);
  if (segs == NULL || realpath (web_dir, root) == NULL)
    return NULL;
  guint n = g_strv_length (segs);
  const char *last = n ? segs[n - 1] : NULL;
  g_autofree char *rel = g_strjoinv ("/", segs);
  g_autofree char *file = NULL;
  if (last == NULL || *last == '\0')
    file = g_build_filename (root, rel, "index.html", NULL);
  else
    file = g_build_filename (root, rel, NULL);
  char *found = contained_regular_file (root, file);
  if (found == NULL && (!segment_has_extension (last) || is_app_route (segs, n)))
    *spa_fallback = TRUE;
  return found;
}

static void
serve_file (SamtalRequest *req, const char *file)
{
  SoupServerMessage *msg = samtal_request_message (req);
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);
  if (mapped == NULL || g_mapped_file_get_length (mapped) > STATIC_MAX_FILE_BYTES)
    {
      samtal_reply_error (req, 404, "not_found", "no such file");
      return;
    }
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);
  const char *type = samtal_static_mime_type (file);
  samtal_reply_header (req, "Cache-Control",
                       g_str_has_suffix (file, ".html") ? "no-cache" : "public, max-age=300");
  soup_server_message_set_status (msg, 200, NULL);
  if (g_str_equal (samtal_request_method (req), "HEAD"))
    {
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                             type, NULL);
      samtal_reply_text (req, 200, type, NULL);
      return;
    }
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, data, len);
  samtal_reply_text (req, 200, type, NULL);
}

static gboolean
path_is_reserved (const char *path)
{
  static const char *const prefixes[] = { "/api", "/ws", "/healthz", "/metrics" };
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize n = strlen (prefixes[i]);
      if (strncmp (path, prefixes[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
        return TRUE;
    }
  return FALSE;
}

void
samtal_static_serve (SamtalRequest *req, const char *web_dir, const char *path)
{
  gboolean spa = FALSE;
  g_autofree char *file = samtal_static_resolve (web_dir, path, &spa);
  if (file == NULL && spa && !path_is_reserved (path))
    {
      gboolean unused;
      file = samtal_static_resolve (web_dir, "/index.html", &unused);
    }
  if (file == NULL)
    {
      samtal_reply_error (req, 404, "not_found", "no such file");
      return;
    }
  serve_file (req, file);
}
