/* keyfile.h — secret keys kept as files in the data directory.
 *
 * A key file holds exactly n random bytes and is created 0600 (in a directory created 0700) on
 * first use, atomically, so two processes starting at once end with the same key. A key file of
 * the wrong size or with looser permissions than 0600 is refused rather than silently used.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads DIR/NAME, creating it with n random bytes if it does not exist. Returns a buffer of n
 * bytes allocated with sodium_malloc-like care (free with samtal_key_free), or NULL and error. */
guint8 *samtal_key_load_or_create (const char *dir, const char *name, gsize n, GError **error);

/* Wipes and frees a key returned by samtal_key_load_or_create. NULL is allowed. */
void samtal_key_free (guint8 *key, gsize n);

G_END_DECLS
