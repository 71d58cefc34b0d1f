/* store.h — the SQLite database: one connection, used only from the main thread.
 *
 * The database is DATA_DIR/samtal.db (created 0600; the data dir is created 0700), opened in WAL
 * mode with foreign_keys=ON, synchronous=FULL and a busy timeout. Each component owns its tables
 * and migrates them with samtal_store_migrate(); the version applied per component is kept in the
 * table schema_versions(component, version).
 *
 * Statements: samtal_store_prepare() returns a fresh statement (free it with g_autoptr
 * (sqlite3_stmt)); samtal_store_step() turns SQLite errors into GErrors. Anything that must be
 * atomic (check then write) runs between samtal_store_begin_immediate() and samtal_store_commit(),
 * never as separate steps on the main loop with a yield in between.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define SAMTAL_STORE_ERROR (samtal_store_error_quark ())
GQuark samtal_store_error_quark (void);

typedef enum {
  SAMTAL_STORE_ERROR_FAILED,       /* anything else SQLite reports */
  SAMTAL_STORE_ERROR_CONSTRAINT,   /* UNIQUE, CHECK, FOREIGN KEY … (the API maps it to 409 conflict) */
  SAMTAL_STORE_ERROR_BUSY,         /* the busy timeout passed */
  SAMTAL_STORE_ERROR_NOT_FOUND,    /* a helper found no row */
  SAMTAL_STORE_ERROR_MIGRATION,    /* a migration step failed, or the db is newer than we are */
} SamtalStoreError;

typedef struct _SamtalStore SamtalStore;

/* Creates data_dir (0700) if needed and opens data_dir/samtal.db (0600). */
SamtalStore *samtal_store_open (const char *data_dir, GError **error);
/* Closes the database (checkpointing the WAL) and frees the store. NULL is allowed. */
void samtal_store_close (SamtalStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalStore, samtal_store_close)

/* The connection (borrowed; valid until samtal_store_close). */
sqlite3 *samtal_store_db (SamtalStore *store);
/* The file name of the database (borrowed). */
const char *samtal_store_path (SamtalStore *store);

/* Brings component ("core", "booking", "cases", …) up to version n: applies steps[v] for every
 * v from its current version to n - 1, each step in its own transaction together with the new
 * version number. Steps are SQL scripts (several statements allowed). Never edit a step once
 * committed; append a new one. Fails with MIGRATION if the db is at a version above n. */
gboolean samtal_store_migrate (SamtalStore *store, const char *component,
                               const char *const *steps, guint n, GError **error);
/* The version of component now (0 = none applied). */
guint samtal_store_schema_version (SamtalStore *store, const char *component);

/* Runs SQL without results (several statements allowed). */
gboolean samtal_store_exec (SamtalStore *store, const char *sql, GError **error);

/* Transactions. BEGIN IMMEDIATE takes the write lock at once, so a check and the write that
 * depends on it see the same database. Never nest them (use SAVEPOINTs via exec if you must). */
gboolean samtal_store_begin_immediate (SamtalStore *store, GError **error);
gboolean samtal_store_commit (SamtalStore *store, GError **error);
/* Rolls back if a transaction is open; never fails (logs instead). */
void samtal_store_rollback (SamtalStore *store);
gboolean samtal_store_in_transaction (SamtalStore *store);

/* Prepares sql (transfer full: g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (…)). */
sqlite3_stmt *samtal_store_prepare (SamtalStore *store, const char *sql, GError **error);
/* Steps stmt: returns SQLITE_ROW or SQLITE_DONE, or -1 with error set (CONSTRAINT, BUSY, FAILED). */
int samtal_store_step (SamtalStore *store, sqlite3_stmt *stmt, GError **error);
/* Steps a statement that writes; TRUE when it reached SQLITE_DONE. */
gboolean samtal_store_run (SamtalStore *store, sqlite3_stmt *stmt, GError **error);
gint64 samtal_store_last_insert_rowid (SamtalStore *store);
/* Rows changed by the last write. */
int samtal_store_changes (SamtalStore *store);

/* Steps a query whose first column is an integer id; returns the ids (transfer full) or NULL with
 * error. */
GArray *samtal_store_collect_ids (SamtalStore *store, sqlite3_stmt *stmt, GError **error);
/* Runs a write that must change a row; SAMTAL_STORE_ERROR_NOT_FOUND ("no such WHAT") when it
 * changed none (the API answers 404). */
gboolean samtal_store_run_one (SamtalStore *store, sqlite3_stmt *stmt, const char *what,
                               GError **error);

/* Column helper: text column as a new string (NULL for SQL NULL). */
char *samtal_store_column_dup (sqlite3_stmt *stmt, int column);

G_END_DECLS
