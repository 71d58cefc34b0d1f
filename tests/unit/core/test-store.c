/* Unit tests: the SQLite store (core/store.h) — permissions, migrations per component,
 * transactions and error mapping. */
#include <sys/stat.h>

#include "core/store.h"
#include "fixture.h"

typedef struct {
  char *root;
  char *data;
  SamtalStore *store;
} StoreFx;

static void
store_setup (StoreFx *f, gconstpointer d)
{
  g_autoptr (GError) error = NULL;
  f->root = g_dir_make_tmp ("samtal-store-XXXXXX", NULL);
  f->data = g_build_filename (f->root, "var", NULL);
  f->store = samtal_store_open (f->data, &error);
  g_assert_no_error (error);
}

static void
store_teardown (StoreFx *f, gconstpointer d)
{
  samtal_store_close (f->store);
  core_fixture_remove_tree (f->root);
  g_free (f->root);
  g_free (f->data);
}

static const char *const steps[] = {
  "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);",
  "ALTER TABLE t ADD COLUMN n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0);",
};

static void
test_permissions (StoreFx *f, gconstpointer d)
{
  struct stat st;
  g_assert_cmpint (g_stat (f->data, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (samtal_store_path (f->store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autoptr (sqlite3_stmt) s = samtal_store_prepare (f->store, "PRAGMA journal_mode", NULL);
  g_assert_cmpint (samtal_store_step (f->store, s, NULL), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (s, 0), ==, "wal");
  g_autoptr (sqlite3_stmt) fk = samtal_store_prepare (f->store, "PRAGMA foreign_keys", NULL);
  g_assert_cmpint (samtal_store_step (f->store, fk, NULL), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (fk, 0), ==, 1);
}

static void
test_migrations (StoreFx *f, gconstpointer d)
{
  g_autoptr (GError) error = NULL;
  g_assert_cmpuint (samtal_store_schema_version (f->store, "x"), ==, 0);
  g_assert_true (samtal_store_migrate (f->store, "x", steps, 1, &error));
  g_assert_cmpuint (samtal_store_schema_version (f->store, "x"), ==, 1);
  g_assert_true (samtal_store_migrate (f->store, "x", steps, 2, &error));
  g_assert_true (samtal_store_migrate (f->store, "x", steps, 2, &error));   /* again: no-op */
  g_assert_no_error (error);
  g_assert_cmpuint (samtal_store_schema_version (f->store, "x"), ==, 2);
  g_assert_cmpuint (samtal_store_schema_version (f->store, "other"), ==, 0);
  /* An older program refuses a newer database. */
  g_assert_false (samtal_store_migrate (f->store, "x", steps, 1, &error));
  g_assert_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_MIGRATION);
}

static void
test_failed_step_rolls_back (StoreFx *f, gconstpointer d)
{
  static const char *const broken[] = {
    "CREATE TABLE a (id INTEGER PRIMARY KEY);",
    "CREATE TABLE b (id INTEGER PRIMARY KEY); THIS IS NOT SQL;",
  };
  g_autoptr (GError) error = NULL;
  g_assert_false (samtal_store_migrate (f->store, "y", broken, 2, &error));
  g_assert_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_MIGRATION);
  g_assert_cmpuint (samtal_store_schema_version (f->store, "y"), ==, 1);
  g_autoptr (sqlite3_stmt) s = samtal_store_prepare (f->store,
    "SELECT count(*) FROM sqlite_master WHERE name = 'b'", NULL);
  g_assert_cmpint (samtal_store_step (f->store, s, NULL), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (s, 0), ==, 0);
  g_assert_false (samtal_store_in_transaction (f->store));
}

static void
test_transactions_and_errors (StoreFx *f, gconstpointer d)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_store_migrate (f->store, "x", steps, 2, &error));
  g_assert_true (samtal_store_begin_immediate (f->store, &error));
  g_assert_false (samtal_store_begin_immediate (f->store, &error));   /* no nesting */
  g_clear_error (&error);
  g_assert_true (samtal_store_exec (f->store, "INSERT INTO t (name) VALUES ('a')", &error));
  samtal_store_rollback (f->store);
  g_assert_true (samtal_store_exec (f->store, "INSERT INTO t (name) VALUES ('a')", &error));
  g_autoptr (sqlite3_stmt) dup = samtal_store_prepare (f->store,
    "INSERT INTO t (name) VALUES ('a')", &error);
  g_assert_false (samtal_store_run (f->store, dup, &error));
  g_assert_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (samtal_store_exec (f->store, "UPDATE t SET n = -1", &error));
  g_assert_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_null (samtal_store_prepare (f->store, "SELEKT", &error));
  g_assert_error (error, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_FAILED);
  g_autoptr (sqlite3_stmt) q = samtal_store_prepare (f->store, "SELECT name FROM t", NULL);
  g_assert_cmpint (samtal_store_step (f->store, q, NULL), ==, SQLITE_ROW);
  g_autofree char *name = samtal_store_column_dup (q, 0);
  g_assert_cmpstr (name, ==, "a");
  g_assert_cmpint (samtal_store_step (f->store, q, NULL), ==, SQLITE_DONE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/permissions", StoreFx, NULL, store_setup, test_permissions, store_teardown);
  g_test_add ("/store/migrations", StoreFx, NULL, store_setup, test_migrations, store_teardown);
  g_test_add ("/store/failed-step", StoreFx, NULL, store_setup, test_failed_step_rolls_back,
              store_teardown);
  g_test_add ("/store/transactions", StoreFx, NULL, store_setup, test_transactions_and_errors,
              store_teardown);
  return g_test_run ();
}
