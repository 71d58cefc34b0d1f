/* http-private.h — what the router shares with the static-file module and the server. */
#pragma once

#include "http.h"

G_BEGIN_DECLS

/* Sets the security headers every response carries (CSP, nosniff, no-referrer, DENY). */
void samtal_http_security_headers (SoupServerMessage *msg);

/* Serves path (as received, percent-encoded) from web_dir for GET/HEAD: a file if one exists
 * inside web_dir, else index.html for paths without an extension (the web app's routes), else
 * 404. Never leaves web_dir (no "..", no NUL, no symlinks pointing out). */
void samtal_static_serve (SamtalRequest *req, const char *web_dir, const char *path);

/* Pure: resolves path (percent-encoded) to a file name under web_dir, or NULL if it must not be
 * served (traversal, NUL, hidden files, not a regular file, outside web_dir after symlinks).
 * *spa_fallback tells the caller that index.html should be served instead (the path has no
 * extension and no such file exists). (transfer full) */
char *samtal_static_resolve (const char *web_dir, const char *path, gboolean *spa_fallback);
/* The MIME type for a file name by its extension ("application/octet-stream" if unknown). */
const char *samtal_static_mime_type (const char *filename);

G_END_DECLS
