/* store.c — the SQLite connection: opening with safe pragmas, migrations, transactions and
 * statement helpers that report SQLite errors as GErrors. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (samtal-store-error-quark, samtal_store_error)

#define STORE_BUSY_TIMEOUT_MS 10000

struct _SamtalStore {
  sqlite3 *db;
  char *path;
};

static int
store_error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      return SAMTAL_STORE_ERROR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SAMTAL_STORE_ERROR_BUSY;
    default:
      return SAMTAL_STORE_ERROR_FAILED;
    }
}

static gboolean
set_db_error (SamtalStore *store, int rc, const char *what, GError **error)
{
  g_set_error (error, SAMTAL_STORE_ERROR, store_error_code (rc), "%s: %s", what,
               store->db ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
ensure_private_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot create data directory %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

/* Creates the db file 0600 before SQLite opens it (SQLite would use the umask). */
static gboolean
ensure_private_file (const char *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot open %s: %s",
                   path, g_strerror (e));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static const char store_pragmas[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA foreign_keys=ON;"
  "PRAGMA synchronous=FULL;"
  "PRAGMA trusted_schema=OFF;"
  "CREATE TABLE IF NOT EXISTS schema_versions ("
  "  component TEXT PRIMARY KEY, version INTEGER NOT NULL);";

SamtalStore *
samtal_store_open (const char *data_dir, GError **error)
{
  if (!ensure_private_dir (data_dir, error))
    return NULL;
  g_autofree char *path = g_build_filename (data_dir, "samtal.db", NULL);
  if (!ensure_private_file (path, error))
    return NULL;
  SamtalStore *store = g_new0 (SamtalStore, 1);
  store->path = g_steal_pointer (&path);
  int rc = sqlite3_open_v2 (store->path, &store->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (store, rc, "open", error);
      samtal_store_close (store);
      return NULL;
    }
  sqlite3_busy_timeout (store->db, STORE_BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (store->db, 1);
  if (!samtal_store_exec (store, store_pragmas, error))
    {
      samtal_store_close (store);
      return NULL;
    }
  return store;
}

void
samtal_store_close (SamtalStore *store)
{
  if (store == NULL)
    return;
  if (store->db != NULL)
    {
      if (!sqlite3_get_autocommit (store->db))
        sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_exec (store->db, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
      int rc = sqlite3_close (store->db);
      if (rc != SQLITE_OK)
        g_warning ("closing the database: %s (a statement was not finalized)",
                   sqlite3_errstr (rc));
    }
  g_free (store->path);
  g_free (store);
}

sqlite3 *
samtal_store_db (SamtalStore *store)
{
  return store->db;
}

const char *
samtal_store_path (SamtalStore *store)
{
  return store->path;
}

gboolean
samtal_store_exec (SamtalStore *store, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SAMTAL_STORE_ERROR, store_error_code (rc), "%s",
                   msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
samtal_store_prepare (SamtalStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (store, rc, "prepare", error);
      return NULL;
    }
  return stmt;
}

int
samtal_store_step (SamtalStore *store, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;
  set_db_error (store, rc, "step", error);
  return -1;
}

gboolean
samtal_store_run (SamtalStore *store, sqlite3_stmt *stmt, GError **error)
{
  int rc = samtal_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      g_set_error_literal (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_FAILED,
                           "statement returned rows where none were expected");
      return FALSE;
    }
  return rc == SQLITE_DONE;
}

gint64
samtal_store_last_insert_rowid (SamtalStore *store)
{
  return sqlite3_last_insert_rowid (store->db);
}

int
samtal_store_changes (SamtalStore *store)
{
  return sqlite3_changes (store->db);
}

GArray *
samtal_store_collect_ids (SamtalStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;
  while ((rc = samtal_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  return rc < 0 ? NULL : g_steal_pointer (&ids);
}

gboolean
samtal_store_run_one (SamtalStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (!samtal_store_run (store, stmt, error))
    return FALSE;
  if (samtal_store_changes (store) == 0)
    {
      g_set_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_NOT_FOUND, "no such %s", what);
      return FALSE;
    }
  return TRUE;
}

char *
samtal_store_column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text ? g_strdup ((const char *) text) : NULL;
}

gboolean
samtal_store_begin_immediate (SamtalStore *store, GError **error)
{
  if (samtal_store_in_transaction (store))
    {
      g_set_error_literal (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_FAILED,
                           "a transaction is already open");
      return FALSE;
    }
  return samtal_store_exec (store, "BEGIN IMMEDIATE", error);
}

gboolean
samtal_store_commit (SamtalStore *store, GError **error)
{
  return samtal_store_exec (store, "COMMIT", error);
}

void
samtal_store_rollback (SamtalStore *store)
{
  if (!samtal_store_in_transaction (store))
    return;
  char *msg = NULL;
  if (sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, &msg) != SQLITE_OK)
    g_warning ("rollback failed: %s", msg ? msg : "?");
  sqlite3_free (msg);
}

gboolean
samtal_store_in_transaction (SamtalStore *store)
{
  return !sqlite3_get_autocommit (store->db);
}

guint
samtal_store_schema_version (SamtalStore *store, const char *component)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (
    store, "SELECT version FROM schema_versions WHERE component = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, component, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int (stmt, 0);
}

static gboolean
set_schema_version (SamtalStore *store, const char *component, guint version, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (
    store, "INSERT INTO schema_versions (component, version) VALUES (?, ?) "
           "ON CONFLICT (component) DO UPDATE SET version = excluded.version", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, component, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, (int) version);
  return samtal_store_run (store, stmt, error);
}

static gboolean
apply_step (SamtalStore *store, const char *component, guint v, const char *sql, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!samtal_store_begin_immediate (store, &local)
      || !samtal_store_exec (store, sql, &local)
      || !set_schema_version (store, component, v + 1, &local)
      || !samtal_store_commit (store, &local))
    {
      samtal_store_rollback (store);
      g_set_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_MIGRATION,
                   "migration %s step %u failed: %s", component, v + 1, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
samtal_store_migrate (SamtalStore *store, const char *component, const char *const *steps,
                      guint n, GError **error)
{
  guint current = samtal_store_schema_version (store, component);
  if (current > n)
    {
      g_set_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_MIGRATION,
                   "the database has %s schema version %u, newer than this program's %u",
                   component, current, n);
      return FALSE;
    }
  for (guint v = current; v < n; v++)
    if (!apply_step (store, component, v, steps[v], error))
      return FALSE;
  return TRUE;
}
