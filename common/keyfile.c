/* keyfile.c — loads or creates the secret key files of the data directory (see keyfile.h).
 *
 * Creation writes a temporary file with O_EXCL and 0600, fsyncs it, then link()s it into place:
 * link fails if another process won the race, and then we read the winner's key instead.
 */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
read_exact (const char *path, guint8 *buf, gsize n, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int e = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot open key file %s: %s",
                 path, g_strerror (e));
    return FALSE;
  }
  struct stat st;
  gboolean ok = fstat (fd, &st) == 0;
  if (ok && (st.st_mode & 077) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "key file %s is readable by others (mode %o); make it 0600", path,
                 (unsigned) (st.st_mode & 0777));
    close (fd);
    return FALSE;
  }
  if (ok && (gsize) st.st_size != n) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "key file %s has %lld bytes, expected %" G_GSIZE_FORMAT, path,
                 (long long) st.st_size, n);
    close (fd);
    return FALSE;
  }
  gsize got = 0;
  while (ok && got < n) {
    ssize_t r = read (fd, buf + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      ok = FALSE;
    else
      got += (gsize) r;
  }
  close (fd);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read key file %s", path);
  return ok;
}

static gboolean
create_key (const char *dir, const char *path, gsize n, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.%d.tmp", dir, "key", (int) getpid ());
  guint8 *fresh = g_malloc (n);
  randombytes_buf (fresh, n);
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  gboolean ok = fd >= 0;
  if (ok)
    ok = write (fd, fresh, n) == (ssize_t) n && fsync (fd) == 0;
  if (fd >= 0)
    close (fd);
  sodium_memzero (fresh, n);
  g_free (fresh);
  if (ok && link (tmp, path) != 0 && errno != EEXIST)
    ok = FALSE;
  unlink (tmp);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create key file %s: %s", path,
                 g_strerror (errno));
  return ok;
}

guint8 *
samtal_key_load_or_create (const char *dir, const char *name, gsize n, GError **error)
{
  g_return_val_if_fail (n > 0 && n <= 4096, NULL);
  if (sodium_init () < 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libsodium failed to start");
    return NULL;
  }
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int e = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot create %s: %s", dir,
                 g_strerror (e));
    return NULL;
  }
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !create_key (dir, path, n, error))
    return NULL;
  guint8 *key = g_malloc (n);
  if (!read_exact (path, key, n, error)) {
    samtal_key_free (key, n);
    return NULL;
  }
  return key;
}

void
samtal_key_free (guint8 *key, gsize n)
{
  if (key == NULL)
    return;
  sodium_memzero (key, n);
  g_free (key);
}
